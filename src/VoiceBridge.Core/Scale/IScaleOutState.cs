namespace VoiceBridge.Scale;

/// <summary>A breaker one node opened, as every node of the deployment learns it: open until <see cref="OpenUntil"/> (UTC).</summary>
public sealed record SharedBreaker(string Engine, DateTimeOffset OpenUntil, string Reason, string Node);

/// <summary>
/// What the nodes of a deployment share (docs/scale-out.md): the breakers they open, per provider
/// endpoint, and per live call its conversation checkpoint (sealed bytes: <see cref="CheckpointCipher"/>
/// encrypts them before they get here) and when its caller's audio was last seen. A single node
/// keeps them in memory (<see cref="InMemoryScaleOutState"/>); nodes behind one load balancer share
/// Redis (<see cref="RedisScaleOutState"/>). Implementations are thread-safe; a failing store throws
/// from the call that failed and never takes a call down with it (callers log and go on).
/// </summary>
public interface IScaleOutState : IAsyncDisposable
{
    /// <summary>Where the state lives, for the start-up log: <c>in memory</c>, <c>redis HOST:PORT</c>.</summary>
    string Location { get; }

    /// <summary>Raised (on a store thread) for each breaker another node published; never for this node's own.</summary>
    event Action<SharedBreaker>? BreakerPublished;

    /// <summary>Tells every node that <see cref="SharedBreaker.Engine"/> is open until <see cref="SharedBreaker.OpenUntil"/>; kept until then for nodes that start later.</summary>
    Task PublishBreakerAsync(SharedBreaker breaker, CancellationToken cancellationToken);

    /// <summary>The breakers among <paramref name="engines"/> that some node holds open now (for a node that starts).</summary>
    Task<IReadOnlyList<SharedBreaker>> OpenBreakersAsync(IEnumerable<string> engines, CancellationToken cancellationToken);

    /// <summary>Stores the call's sealed checkpoint in place of the one before, kept for <paramref name="ttl"/>.</summary>
    Task SaveCheckpointAsync(string callSid, byte[] sealedCheckpoint, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The call's sealed checkpoint, or null when there is none (never written, or expired).</summary>
    Task<byte[]?> LoadCheckpointAsync(string callSid, CancellationToken cancellationToken);

    /// <summary>Records when the call's caller audio was last seen, kept for <paramref name="ttl"/>.</summary>
    Task SaveLastFrameAsync(string callSid, DateTimeOffset at, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>When the call's caller audio was last seen, or null.</summary>
    Task<DateTimeOffset?> LoadLastFrameAsync(string callSid, CancellationToken cancellationToken);
}
