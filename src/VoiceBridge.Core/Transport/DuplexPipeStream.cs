namespace VoiceBridge.Transport;

/// <summary>
/// One end of an in-memory duplex byte stream. A read that has to wait is completed through the
/// <see cref="SynchronizationContext"/> captured when the pair was made (the virtual-time loop),
/// never on an arbitrary thread, so a whole call over these streams runs deterministically on one
/// thread; without a context, reads complete on the writer's thread.
/// </summary>
internal sealed class DuplexPipeStream : Stream
{
    private readonly ByteQueue _in;
    private readonly ByteQueue _out;

    private DuplexPipeStream(ByteQueue input, ByteQueue output)
    {
        _in = input;
        _out = output;
    }

    public static (DuplexPipeStream A, DuplexPipeStream B) CreatePair()
    {
        var context = SynchronizationContext.Current;
        var ab = new ByteQueue(context);
        var ba = new ByteQueue(context);
        return (new DuplexPipeStream(ba, ab), new DuplexPipeStream(ab, ba));
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("in-memory streams are read asynchronously");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _in.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _out.Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _out.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _out.Complete();
            _in.Complete();
        }

        base.Dispose(disposing);
    }

    /// <summary>Bytes in flight one way, with at most one waiting reader.</summary>
    private sealed class ByteQueue(SynchronizationContext? context)
    {
        private readonly object _gate = new();
        private readonly Queue<byte[]> _chunks = new();
        private int _headOffset;
        private bool _completed;
        private TaskCompletionSource<int>? _pendingRead;
        private Memory<byte> _pendingBuffer;

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
                    return new ValueTask<int>(0);
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
                    throw new IOException("the other end of the in-memory stream is closed");
                }

                _chunks.Enqueue(data.ToArray());
                WakeReader();
            }
        }

        public void Complete()
        {
            lock (_gate)
            {
                _completed = true;
                WakeReader();
            }
        }

        /// <summary>Hands the waiting read what is there now; its continuation runs on the captured context.</summary>
        private void WakeReader()
        {
            if (_pendingRead is not { } read)
            {
                return;
            }

            _pendingRead = null;
            var count = _chunks.Count > 0 ? CopyOut(_pendingBuffer.Span) : 0;
            _pendingBuffer = default;
            if (context is null)
            {
                read.TrySetResult(count);
            }
            else
            {
                context.Post(_ => OutsideContext(() => read.TrySetResult(count)), null);
            }
        }

        private void Cancel(TaskCompletionSource<int> read, CancellationToken token)
        {
            lock (_gate)
            {
                if (_pendingRead == read)
                {
                    _pendingRead = null;
                    _pendingBuffer = default;
                }
            }

            // Like a completed read, a cancelled one resumes its reader on the captured context: the
            // cancellation usually fires on the loop (an abort), where the reader's ConfigureAwait(false)
            // continuation could not run inline and would hop to the thread pool, off the virtual clock.
            if (context is null)
            {
                read.TrySetCanceled(token);
            }
            else
            {
                context.Post(_ => OutsideContext(() => read.TrySetCanceled(token)), null);
            }
        }

        /// <summary>
        /// Completes a read with no SynchronizationContext current: the reader (the BCL's WebSocket)
        /// awaits with ConfigureAwait(false), and such continuations are inlined only when no
        /// context is current; otherwise they would hop to the thread pool and leave the loop.
        /// Awaiters that captured the loop's context still get their continuations posted to it.
        /// </summary>
        private static void OutsideContext(Action complete)
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
