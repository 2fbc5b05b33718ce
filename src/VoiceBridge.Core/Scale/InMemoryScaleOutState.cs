using System.Collections.Concurrent;

namespace VoiceBridge.Scale;

/// <summary>
/// The shared state of a node that runs alone (the default): a dictionary with expiry on the
/// injected clock. Instances made with <see cref="JoinSameStore"/> share one store and see each
/// other's breakers, as Redis nodes do: tests run two nodes in one process on a fake clock.
/// </summary>
public sealed class InMemoryScaleOutState : IScaleOutState
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);
    private readonly Store _store;
    private readonly TimeProvider _time;

    public InMemoryScaleOutState(TimeProvider time)
        : this(new Store(), time)
    {
    }

    private InMemoryScaleOutState(Store store, TimeProvider time)
    {
        _store = store;
        _time = time;
        lock (store.Members)
        {
            store.Members.Add(this);
        }
    }

    public event Action<SharedBreaker>? BreakerPublished;

    public string Location => "in memory";

    /// <summary>Another node's view of the same store.</summary>
    public InMemoryScaleOutState JoinSameStore() => new(_store, _time);

    public Task PublishBreakerAsync(SharedBreaker breaker, CancellationToken cancellationToken)
    {
        Put("breaker:" + breaker.Engine, breaker, breaker.OpenUntil - _time.GetUtcNow());
        InMemoryScaleOutState[] others;
        lock (_store.Members)
        {
            others = [.. _store.Members.Where(m => m != this)];
        }

        foreach (var other in others)
        {
            other.BreakerPublished?.Invoke(breaker);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SharedBreaker>> OpenBreakersAsync(IEnumerable<string> engines, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SharedBreaker>>([.. engines.Select(e => Get("breaker:" + e) as SharedBreaker).OfType<SharedBreaker>()]);

    public Task SaveCheckpointAsync(string callSid, byte[] sealedCheckpoint, TimeSpan ttl, CancellationToken cancellationToken)
    {
        Put("checkpoint:" + callSid, sealedCheckpoint.ToArray(), ttl);
        return Task.CompletedTask;
    }

    public Task<byte[]?> LoadCheckpointAsync(string callSid, CancellationToken cancellationToken) =>
        Task.FromResult(Get("checkpoint:" + callSid) is byte[] bytes ? bytes.ToArray() : null);

    public Task SaveLastFrameAsync(string callSid, DateTimeOffset at, TimeSpan ttl, CancellationToken cancellationToken)
    {
        Put("last-frame:" + callSid, at, ttl);
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> LoadLastFrameAsync(string callSid, CancellationToken cancellationToken) =>
        Task.FromResult(Get("last-frame:" + callSid) is DateTimeOffset at ? at : (DateTimeOffset?)null);

    public ValueTask DisposeAsync()
    {
        lock (_store.Members)
        {
            _store.Members.Remove(this);
        }

        return ValueTask.CompletedTask;
    }

    private void Put(string key, object value, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            _store.Entries.TryRemove(key, out _);
            return;
        }

        var now = _time.GetUtcNow();
        _store.Entries[key] = (value, now + ttl);

        // Expired entries go now and then, so a long-running node does not keep every call it served.
        if (now < _store.NextSweep)
        {
            return;
        }

        _store.NextSweep = now + SweepInterval;
        foreach (var entry in _store.Entries)
        {
            if (entry.Value.Until <= now)
            {
                _store.Entries.TryRemove(entry);
            }
        }
    }

    private object? Get(string key) =>
        _store.Entries.TryGetValue(key, out var entry) && entry.Until > _time.GetUtcNow() ? entry.Value : null;

    private sealed class Store
    {
        public ConcurrentDictionary<string, (object Value, DateTimeOffset Until)> Entries { get; } = new(StringComparer.Ordinal);

        public List<InMemoryScaleOutState> Members { get; } = [];

        public DateTimeOffset NextSweep { get; set; }
    }
}
