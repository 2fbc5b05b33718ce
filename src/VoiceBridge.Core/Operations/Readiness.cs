using VoiceBridge.Call;
using VoiceBridge.Engines;

namespace VoiceBridge.Operations;

/// <summary>
/// Whether the node should get new calls (<c>GET /ready</c>): not while it drains, not while its
/// audit store is not open (a call must be audited), and not when no engine of the chain is
/// available by the shared provider health (every breaker open: a call would only hear the apology).
/// Liveness (<c>/health</c>) is only "the process answers".
/// </summary>
public sealed class Readiness(CallRegistry registry, IEngineChain chain, Func<bool> auditOpen)
{
    public ReadinessReport Check()
    {
        var problems = new List<string>();
        if (!registry.Accepting)
        {
            problems.Add("draining");
        }

        if (!auditOpen())
        {
            problems.Add("audit store not open");
        }

        var available = Enumerable.Range(0, chain.Count).Where(chain.IsAvailable).Select(chain.NameAt).ToList();
        if (available.Count == 0)
        {
            problems.Add("no engine of the chain is available (every breaker open)");
        }

        return new ReadinessReport(problems.Count == 0 ? "ready" : "not-ready", problems, registry.Live.Count, available);
    }
}

/// <summary>The body of <c>/ready</c>: <see cref="Status"/> <c>ready</c> with no <see cref="Problems"/>, else what is wrong.</summary>
public sealed record ReadinessReport(string Status, IReadOnlyList<string> Problems, int LiveCalls, IReadOnlyList<string> AvailableEngines)
{
    public bool Ready => Problems.Count == 0;
}
