using VoiceBridge.Engines.Health;

namespace VoiceBridge.Engines;

/// <summary>
/// The engines a call may use: quality tiers (0 = best) of engines, each with a cost per minute,
/// and the shared provider health that says which of them are available (docs/failover.md,
/// "Breakers, tiers and failback"). The call session asks it where to start, where to go on a
/// switch and whether to fail back, and reports what it saw of each engine.
/// The default members describe a chain with no shared health: each engine its own tier, in
/// order, always available, free.
/// </summary>
public interface IEngineChain
{
    int Count { get; }

    string NameAt(int index);

    IAgentEngine Create(int index);

    /// <summary>
    /// The engine for call <paramref name="callId"/>: the same, but a chain may tag what the
    /// engine opens with the call (simulated providers tell concurrent calls apart by it).
    /// </summary>
    IAgentEngine Create(int index, string callId) => Create(index);

    /// <summary>The engine's quality tier, 0 the best.</summary>
    int TierOf(int index) => index;

    /// <summary>The engine's cost per minute (USD): the cheaper available engine of a tier is preferred.</summary>
    decimal CostOf(int index) => 0m;

    /// <summary>The engine's shared breaker.</summary>
    BreakerState StateOf(int index) => BreakerState.Closed;

    /// <summary>Whether the engine may take a call now (closed, or half-open with a free trial slot); takes nothing.</summary>
    bool IsAvailable(int index) => true;

    /// <summary>
    /// Whether the engine is healthy again after failing: the shared health saw it fail, and its
    /// breaker is closed with [3] good results since that failure; takes nothing. An engine the
    /// shared health never saw fail (a drill's failures are not reported) has not recovered.
    /// </summary>
    bool IsRecovered(int index) => false;

    /// <summary>
    /// Takes the engine for this call if it is available (a half-open engine only as a trial,
    /// taking its trial slot). The selection methods below call it on the engine they return.
    /// </summary>
    bool TryAdmit(int index) => IsAvailable(index);

    /// <summary>
    /// Where a new call starts: the best tier with an available engine, the cheapest available
    /// engine of it (chain order between equal costs). Null: no engine is available (every
    /// breaker open): the call goes to the last resort. Takes the engine (<see cref="TryAdmit"/>):
    /// call it once per call start.
    /// </summary>
    int? FirstAvailable() => ChainRouting.Select(this, candidate: _ => true);

    /// <summary>
    /// Where a call goes when <paramref name="current"/> fails (or its breaker opened): the best
    /// tier with an available engine that is not <paramref name="current"/> and has not failed in
    /// this call, cheapest first. For a call on the best available tier that is the same tier's
    /// other engines, then the lower tiers in order; a higher tier that recovered meanwhile comes
    /// first (a call drops a tier only when the whole higher tier is unavailable). Null: the chain
    /// is exhausted (last resort). Takes the engine returned (<see cref="TryAdmit"/>).
    /// </summary>
    int? NextAvailable(int current, IReadOnlySet<int> failedInThisCall) =>
        ChainRouting.Select(this, candidate: i => i != current && !failedInThisCall.Contains(i));

    /// <summary>
    /// At a turn boundary of a call on <paramref name="current"/> for <paramref name="dwell"/>
    /// (time since the call's last switch): the engine to fail back to, or null. Not null only
    /// when failback is on (<see cref="FailbackMode.TurnBoundary"/>), the dwell is at least the
    /// minimum [60 s], and an engine of a strictly higher tier is ready for failback (closed after
    /// [3] good probes since its last failure); the best tier's cheapest such engine.
    /// Never one of <paramref name="leftDegraded"/>: the engines this call left because they
    /// degraded (stalled, slowed down, answered badly); a readiness probe cannot see those recover,
    /// and failing back to one that is still slow would make the call flap.
    /// </summary>
    int? FailbackTarget(int current, TimeSpan dwell, IReadOnlySet<int> leftDegraded) => null;

    /// <summary>The call saw the engine fail hard; <paramref name="retryAfter"/> is the provider's Retry-After, if it sent one.</summary>
    void ReportFailure(int index, string reason, TimeSpan? retryAfter = null)
    {
    }

    /// <summary>The call saw the engine work (a response completed).</summary>
    void ReportSuccess(int index)
    {
    }
}

/// <summary>A chain of one engine (no failover).</summary>
public sealed class SingleEngineChain(Func<IAgentEngine> create, string name = "engine") : IEngineChain
{
    public int Count => 1;

    public string NameAt(int index) => name;

    public IAgentEngine Create(int index) => create();
}
