using Microsoft.Extensions.Time.Testing;

namespace VoiceBridge.Transport;

/// <summary>
/// Runs a whole call path (bridge, simulator, fake caller) on one thread and one
/// <see cref="FakeTimeProvider"/>: every continuation is posted here, and virtual time advances
/// only when nothing is left to run. Deterministic, and as fast as the CPU allows.
/// </summary>
public sealed class VirtualTimeLoop : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly object _gate = new();
    private readonly int _threadId;

    private VirtualTimeLoop(int threadId) => _threadId = threadId;

    /// <summary>
    /// Runs <paramref name="main"/> to completion, advancing <paramref name="time"/> by
    /// <paramref name="step"/> whenever the loop is idle; fails when more than
    /// <paramref name="limit"/> of virtual time passes.
    /// </summary>
    public static T Run<T>(FakeTimeProvider time, TimeSpan step, TimeSpan limit, Func<Task<T>> main)
    {
        var previous = Current;
        var loop = new VirtualTimeLoop(Environment.CurrentManagedThreadId);
        SetSynchronizationContext(loop);
        try
        {
            var task = main();
            var deadline = time.GetUtcNow() + limit;
            while (true)
            {
                loop.Drain();
                if (task.IsCompleted)
                {
                    return task.GetAwaiter().GetResult();
                }

                if (time.GetUtcNow() >= deadline)
                {
                    throw new TimeoutException($"virtual-time run did not finish within {limit.TotalSeconds:0} s of virtual time");
                }

                time.Advance(step);
            }
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_gate)
        {
            _queue.Enqueue((d, state));
        }
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException("the virtual-time loop is single-threaded; Send from another thread is not supported");
        }

        d(state);
    }

    public override SynchronizationContext CreateCopy() => this;

    private void Drain()
    {
        while (true)
        {
            (SendOrPostCallback Callback, object? State) item;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out item))
                {
                    return;
                }
            }

            item.Callback(item.State);
        }
    }
}
