namespace VoiceBridge.Replay;

/// <summary>
/// Totals of a run and its exit code, with the run's clock and the handoff figures over every
/// switch of the run (docs/replay-report.md, <c>summary</c>).
/// </summary>
public sealed record ReplaySummary(
    int Calls,
    int Passed,
    int Failed,
    int BadInput,
    int InternalErrors,
    long? FirstAudioLatencyP50Ms,
    long? FirstAudioLatencyMaxMs,
    int ExitCode)
{
    /// <summary>The clock the calls ran on: <c>real</c> or <c>virtual</c>; null when not said.</summary>
    public string? Clock { get; init; }

    /// <summary>Calls of the run that did not finish because it was stopped (Ctrl-C; exit code 130); null when every call ran.</summary>
    public int? Interrupted { get; init; }

    /// <summary>Engine switches over every call of the run.</summary>
    public int Switches { get; init; }

    /// <summary><c>handoffMs</c> over every switch that has one; null when none has.</summary>
    public FigureDistribution? HandoffMs { get; init; }

    /// <summary><c>deadAirMs</c> over every switch that has one; null when none has.</summary>
    public FigureDistribution? DeadAirMs { get; init; }

    /// <summary>Detection, <c>detectedAtMs - faultAtMs</c>, over every switch whose fault is known; null when none is.</summary>
    public FigureDistribution? DetectionMs { get; init; }

    /// <summary>
    /// Detection of the faults the provider signals (FAILOVER.md's goal: p95 &lt;= 50 ms), apart from
    /// the stalls and soft triggers, which by design take their threshold or a few turns.
    /// </summary>
    public FigureDistribution? SignalledDetectionMs { get; init; }

    /// <summary>Switch reasons of faults the provider signals (a closed socket, a refused connection, an error event, a rate limit).</summary>
    public static IReadOnlySet<string> SignalledReasons { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Faults.FaultMatrix.SocketLost, Faults.FaultMatrix.CannotConnect, Faults.FaultMatrix.ProviderError, Faults.FaultMatrix.RateLimited,
    };

    /// <summary>The totals of <paramref name="calls"/>; exit code 3, then 1, then 2 (README, "Exit codes").</summary>
    public static ReplaySummary Of(IReadOnlyList<ReplayCallReport> calls, string? clock = null)
    {
        int Count(CallStatus s) => calls.Count(c => c.Status == s);
        var latencies = FigureDistribution.Of(calls.SelectMany(c => c.Turns).Select(t => t.FirstAudioLatencyMs).OfType<long>());
        var switches = calls.SelectMany(c => c.Switches).ToList();
        var exit = Count(CallStatus.InternalError) > 0 ? 3 : Count(CallStatus.Failed) > 0 ? 1 : Count(CallStatus.BadInput) > 0 ? 2 : 0;
        return new ReplaySummary(
            calls.Count,
            Count(CallStatus.Passed),
            Count(CallStatus.Failed),
            Count(CallStatus.BadInput),
            Count(CallStatus.InternalError),
            latencies?.P50,
            latencies?.Max,
            exit)
        {
            Clock = clock,
            Switches = switches.Count,
            HandoffMs = FigureDistribution.Of(switches.Select(s => s.HandoffMs).OfType<long>()),
            DeadAirMs = FigureDistribution.Of(switches.Select(s => s.DeadAirMs).OfType<long>()),
            DetectionMs = FigureDistribution.Of(switches.Select(DetectionMsOf).OfType<long>()),
            SignalledDetectionMs = FigureDistribution.Of(switches.Where(s => SignalledReasons.Contains(s.Reason)).Select(DetectionMsOf).OfType<long>()),
        };
    }

    /// <summary>How long a switch took to be decided after its fault struck; null when the fault's moment is unknown.</summary>
    public static long? DetectionMsOf(SwitchReport sw) => sw.FaultAtMs is { } fault ? sw.DetectedAtMs - fault : null;
}

/// <summary>A figure over a run: how many values, the nearest-rank p50 and p95, and the largest (ms).</summary>
public sealed record FigureDistribution(int Count, long P50, long P95, long Max)
{
    /// <summary>The distribution of <paramref name="values"/>, or null when there are none.</summary>
    public static FigureDistribution? Of(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? null : new FigureDistribution(sorted.Count, Rank(sorted, 50), Rank(sorted, 95), sorted[^1]);
    }

    private static long Rank(List<long> sorted, int percent) => sorted[Math.Max(0, ((sorted.Count * percent) + 99) / 100 - 1)];
}
