using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;

namespace VoiceBridge.Faults;

/// <summary>
/// One call's view of the node's chain while drills can strike it: everything is the chain's,
/// except that a failure a drill caused (<see cref="DrillInjector.Struck"/>) is not reported to the
/// shared provider health. A drill is no evidence against the provider: other calls' breakers are
/// left alone, as with the operator's forced switch, so exactly the drilled calls move.
/// </summary>
public sealed class DrillCallChain(IEngineChain inner, DrillInjector injector, string drilledCallId) : IEngineChain
{
    public int Count => inner.Count;

    public string NameAt(int index) => inner.NameAt(index);

    public IAgentEngine Create(int index) => inner.Create(index, drilledCallId);

    public IAgentEngine Create(int index, string callId) => inner.Create(index, callId);

    public int TierOf(int index) => inner.TierOf(index);

    public decimal CostOf(int index) => inner.CostOf(index);

    public BreakerState StateOf(int index) => inner.StateOf(index);

    public bool IsAvailable(int index) => inner.IsAvailable(index);

    /// <summary>Never the engine a drill struck in this call: its failure was not the provider's, so it cannot have recovered from it.</summary>
    public bool IsRecovered(int index) => !injector.Struck(drilledCallId, inner.NameAt(index)) && inner.IsRecovered(index);

    public bool TryAdmit(int index) => inner.TryAdmit(index);

    public int? FirstAvailable() => inner.FirstAvailable();

    public int? NextAvailable(int current, IReadOnlySet<int> failedInThisCall) => inner.NextAvailable(current, failedInThisCall);

    public int? FailbackTarget(int current, TimeSpan dwell, IReadOnlySet<int> leftDegraded) => inner.FailbackTarget(current, dwell, leftDegraded);

    public void ReportFailure(int index, string reason, TimeSpan? retryAfter = null)
    {
        if (!injector.Struck(drilledCallId, inner.NameAt(index)))
        {
            inner.ReportFailure(index, reason, retryAfter);
        }
    }

    public void ReportSuccess(int index) => inner.ReportSuccess(index);
}
