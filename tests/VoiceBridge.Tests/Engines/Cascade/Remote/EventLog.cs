namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>
/// A thread-safe record of things that happen elsewhere (transcripts, wire messages) that a test
/// awaits with a bound instead of sleeping; a timeout lists what did arrive.
/// </summary>
internal sealed class EventLog<T>(Func<T, string> describe)
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private readonly object _gate = new();
    private readonly List<T> _entries = [];
    private readonly List<(Func<T, bool> Match, TaskCompletionSource<T> Done)> _waiters = [];

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    public void Add(T entry)
    {
        List<TaskCompletionSource<T>> satisfied = [];
        lock (_gate)
        {
            _entries.Add(entry);
            satisfied.AddRange(_waiters.Where(w => w.Match(entry)).Select(w => w.Done));
            _waiters.RemoveAll(w => satisfied.Contains(w.Done));
        }

        foreach (var done in satisfied)
        {
            done.TrySetResult(entry);
        }
    }

    /// <summary>The first entry that matches, waiting up to <see cref="Bound"/> on <paramref name="time"/> (the system clock by default).</summary>
    public async Task<T> WaitAsync(Func<T, bool> match, string what, TimeProvider? time = null)
    {
        TaskCompletionSource<T> done;
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                if (match(entry))
                {
                    return entry;
                }
            }

            done = new TaskCompletionSource<T>();
            _waiters.Add((match, done));
        }

        try
        {
            return await done.Task.WaitAsync(Bound, time ?? TimeProvider.System);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {what} within {Bound.TotalSeconds:0} s; got: [{string.Join(", ", Snapshot().Select(describe))}]");
        }
    }
}
