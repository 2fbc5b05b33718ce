namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>
/// A thread-safe record of things that happen on other threads (engine events, wire messages),
/// which a test awaits with a bound instead of sleeping: <see cref="WaitAsync"/> completes when the
/// n-th matching entry has arrived, or fails after <see cref="Bound"/> listing what did arrive.
/// </summary>
internal sealed class AwaitableLog<T>(Func<T, string> describe)
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly List<T> _entries = [];
    private readonly List<Waiter> _waiters = [];

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    public void Add(T entry)
    {
        List<Waiter>? satisfied = null;
        lock (_gate)
        {
            _entries.Add(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var waiter = _waiters[i];
                if (waiter.Match(entry) && --waiter.Remaining == 0)
                {
                    _waiters.RemoveAt(i);
                    (satisfied ??= []).Add(waiter);
                }
            }
        }

        foreach (var waiter in satisfied ?? [])
        {
            waiter.Done.TrySetResult(entry);
        }
    }

    /// <summary>The <paramref name="occurrence"/>-th entry (1-based, counting from the start) that matches.</summary>
    public async Task<T> WaitAsync(Func<T, bool> match, string what, int occurrence = 1)
    {
        Waiter waiter;
        lock (_gate)
        {
            var seen = 0;
            foreach (var entry in _entries)
            {
                if (match(entry) && ++seen == occurrence)
                {
                    return entry;
                }
            }

            waiter = new Waiter(match, occurrence - seen);
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Done.Task.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            throw new TimeoutException(
                $"no {what} (occurrence {occurrence}) within {Bound.TotalSeconds:0} s; got: {string.Join(", ", Snapshot().Select(describe))}");
        }
    }

    private sealed class Waiter(Func<T, bool> match, int remaining)
    {
        public Func<T, bool> Match { get; } = match;

        public int Remaining { get; set; } = remaining;

        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
