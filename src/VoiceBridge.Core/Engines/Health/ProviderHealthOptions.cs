namespace VoiceBridge.Engines.Health;

/// <summary>
/// Thresholds of the per-provider breakers (docs/failover.md, "Breakers, tiers and failback").
/// Set for call volumes: a provider that fails one call hard is presumed down for the next ones.
/// <c>serve</c> and <c>replay</c> read them from the configuration section <c>ProviderHealth</c>.
/// </summary>
public sealed class ProviderHealthOptions
{
    /// <summary>Hard failures within <see cref="FailureWindow"/> that open an engine's breaker [1].</summary>
    public int FailureThreshold { get; set; } = 1;

    /// <summary>How far back failures count toward <see cref="FailureThreshold"/> [60 s].</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a breaker stays open when the provider gave no Retry-After [5 s]; then it is half-open.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time between synthetic probes of an engine that is not healthy [5 s] (the first runs as the break ends).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A probe that has not answered within this long failed [5 s].</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive good probes that close a half-open breaker and allow failback [3].</summary>
    public int GoodProbesToClose { get; set; } = 3;

    /// <summary>
    /// New calls admitted at once to a half-open engine as trials. Default (null): none when a
    /// synthetic probe is configured (callers are not test subjects when probes can do it), one
    /// otherwise (else a half-open engine could never close).
    /// </summary>
    public int? HalfOpenTrialCalls { get; set; }

    /// <summary>A trial call that reported neither success nor failure frees its slot after this long [30 s].</summary>
    public TimeSpan TrialTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a call on a lower tier goes back to a recovered higher one [turn-boundary].</summary>
    public FailbackMode Failback { get; set; } = FailbackMode.TurnBoundary;

    /// <summary>Minimum time a call stays on the engine it failed over to before failing back [60 s].</summary>
    public TimeSpan FailbackMinDwell { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Problems with the options, each naming the option; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (FailureThreshold < 1)
        {
            yield return $"ProviderHealth:FailureThreshold must be at least 1 (is {FailureThreshold})";
        }

        if (GoodProbesToClose < 1)
        {
            yield return $"ProviderHealth:GoodProbesToClose must be at least 1 (is {GoodProbesToClose})";
        }

        if (HalfOpenTrialCalls < 0)
        {
            yield return $"ProviderHealth:HalfOpenTrialCalls must not be negative (is {HalfOpenTrialCalls})";
        }

        foreach (var (name, value) in new[]
                 {
                     (nameof(FailureWindow), FailureWindow), (nameof(BreakDuration), BreakDuration), (nameof(ProbeInterval), ProbeInterval),
                     (nameof(ProbeTimeout), ProbeTimeout), (nameof(TrialTimeout), TrialTimeout),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"ProviderHealth:{name} must be positive (is {value})";
            }
        }

        if (FailbackMinDwell < TimeSpan.Zero)
        {
            yield return $"ProviderHealth:FailbackMinDwell must not be negative (is {FailbackMinDwell})";
        }
    }
}

/// <summary>FAILOVER.md's fail-back option.</summary>
public enum FailbackMode
{
    /// <summary>A call stays on the engine it failed over to.</summary>
    Never,

    /// <summary>At a turn boundary, once the higher engine is ready for failback and the call dwelt long enough.</summary>
    TurnBoundary,
}

/// <summary>A provider breaker's state.</summary>
public enum BreakerState
{
    /// <summary>Healthy: new calls may start on it.</summary>
    Closed,

    /// <summary>Down: no new call starts on it, live calls leave it at their next turn boundary, no probes until the break ends.</summary>
    Open,

    /// <summary>The break is over: synthetic probes (or, when allowed, a trial call) decide.</summary>
    HalfOpen,
}

/// <summary>One breaker transition, for the audit log (kind <c>breaker</c>) and logs.</summary>
public sealed record BreakerChange(string Engine, BreakerState From, BreakerState To, string Reason, DateTimeOffset At, DateTimeOffset? OpenUntil);
