using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace VoiceBridge.Transport;

/// <summary>The request and response bodies of an in-memory exchange: streams over a queue of chunks.</summary>
public sealed partial class InMemoryHttp
{
    /// <summary>What the server writes; every write goes straight to the client.</summary>
    private sealed class ServerBody(Exchange exchange) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => exchange.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => exchange.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            exchange.Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            exchange.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush() => exchange.StartAsync();

        public override Task FlushAsync(CancellationToken cancellationToken) => exchange.StartAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>The response body as the client reads it.</summary>
    private sealed class ClientBody(BodyQueue body, Exchange exchange) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("in-memory HTTP bodies are read asynchronously");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            body.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            body.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !body.Ended)
            {
                exchange.ClientGone();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Bytes one way with at most one waiting reader; it ends cleanly or with an error.</summary>
    private sealed class BodyQueue(SynchronizationContext? context)
    {
        private readonly object _gate = new();
        private readonly Queue<byte[]> _chunks = new();
        private int _headOffset;
        private bool _completed;
        private Exception? _error;
        private TaskCompletionSource<int>? _pendingRead;
        private Memory<byte> _pendingBuffer;

        /// <summary>The server finished (or broke off) and the client read everything there was.</summary>
        public bool Ended
        {
            get
            {
                lock (_gate)
                {
                    return _completed && _chunks.Count == 0;
                }
            }
        }

        public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_chunks.Count > 0)
                {
                    return new ValueTask<int>(CopyOut(buffer.Span));
                }

                if (_completed || buffer.IsEmpty)
                {
                    return _error is null || buffer.IsEmpty ? new ValueTask<int>(0) : ValueTask.FromException<int>(_error);
                }

                if (_pendingRead is not null)
                {
                    throw new InvalidOperationException("only one read may wait at a time");
                }

                var read = new TaskCompletionSource<int>();
                _pendingRead = read;
                _pendingBuffer = buffer;
                if (cancellationToken.CanBeCanceled)
                {
                    cancellationToken.Register(() => Cancel(read, cancellationToken));
                }

                return new ValueTask<int>(read.Task);
            }
        }

        public void Write(ReadOnlySpan<byte> data)
        {
            if (data.IsEmpty)
            {
                return;
            }

            lock (_gate)
            {
                if (_completed)
                {
                    return;
                }

                _chunks.Enqueue(data.ToArray());
                Wake();
            }
        }

        public void Complete(Exception? error)
        {
            lock (_gate)
            {
                if (_completed)
                {
                    return;
                }

                _completed = true;
                _error = error;
                Wake();
            }
        }

        private void Wake()
        {
            if (_pendingRead is not { } read)
            {
                return;
            }

            _pendingRead = null;
            Action complete;
            if (_chunks.Count > 0)
            {
                var count = CopyOut(_pendingBuffer.Span);
                complete = () => read.TrySetResult(count);
            }
            else if (_error is { } error)
            {
                complete = () => read.TrySetException(error);
            }
            else
            {
                complete = () => read.TrySetResult(0);
            }

            _pendingBuffer = default;
            Post(complete);
        }

        private void Cancel(TaskCompletionSource<int> read, CancellationToken token)
        {
            lock (_gate)
            {
                if (_pendingRead != read)
                {
                    return;
                }

                _pendingRead = null;
                _pendingBuffer = default;
            }

            Post(() => read.TrySetCanceled(token));
        }

        private void Post(Action complete)
        {
            if (context is null)
            {
                complete();
            }
            else
            {
                context.Post(_ => OutsideContext(complete), null);
            }
        }

        /// <summary>Runs <paramref name="complete"/> with no SynchronizationContext current (see <see cref="InMemoryHttp"/>).</summary>
        public static void OutsideContext(Action complete)
        {
            var previous = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                complete();
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(previous);
            }
        }

        private int CopyOut(Span<byte> destination)
        {
            var copied = 0;
            while (copied < destination.Length && _chunks.TryPeek(out var head))
            {
                var n = Math.Min(head.Length - _headOffset, destination.Length - copied);
                head.AsSpan(_headOffset, n).CopyTo(destination[copied..]);
                copied += n;
                _headOffset += n;
                if (_headOffset == head.Length)
                {
                    _chunks.Dequeue();
                    _headOffset = 0;
                }
            }

            return copied;
        }
    }
}
