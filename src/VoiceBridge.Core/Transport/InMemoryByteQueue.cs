namespace VoiceBridge.Transport;

/// <summary>
/// Bytes in flight one way between two in-memory endpoints (a duplex stream's direction, an HTTP
/// body), with at most one waiting reader; it ends cleanly or with an error. A read that has to
/// wait is completed through the <see cref="SynchronizationContext"/> given (the virtual-time loop)
/// with no context current (<see cref="OutsideContext"/>), so the BCL's ConfigureAwait(false)
/// readers continue inline on the loop; without a context, on the writer's thread.
/// </summary>
internal sealed class InMemoryByteQueue(SynchronizationContext? context)
{
    private readonly object _gate = new();
    private readonly Queue<byte[]> _chunks = new();
    private int _headOffset;
    private bool _completed;
    private Exception? _error;
    private TaskCompletionSource<int>? _pendingRead;
    private Memory<byte> _pendingBuffer;

    /// <summary>The writer finished (or broke off) and the reader took everything there was.</summary>
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

    /// <summary>Queues <paramref name="data"/> for the reader; false when the queue has ended (nothing is queued).</summary>
    public bool Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return true;
        }

        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _chunks.Enqueue(data.ToArray());
            Wake();
            return true;
        }
    }

    /// <summary>Ends the queue: the reader gets what is left, then the end (or <paramref name="error"/>); later calls change nothing.</summary>
    public void Complete(Exception? error = null)
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

    /// <summary>
    /// Runs <paramref name="complete"/> with no SynchronizationContext current: a reader that awaits
    /// with ConfigureAwait(false) (the BCL's WebSocket, HttpClient) is inlined only then; otherwise it
    /// would hop to the thread pool and leave the loop. Awaiters that captured the loop's context
    /// still get their continuations posted to it.
    /// </summary>
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
