using VoiceBridge.Call;

namespace VoiceBridge.Replay;

/// <summary>
/// A replayed call's shadow engine beside the active one (docs/replay-report.md, "shadow"): the
/// per-turn rows as the call compared them, and the totals. The shadow never changes whether a
/// call passes: its failure is reported here, not as a failure of the call.
/// </summary>
/// <param name="Engine">The shadow engine.</param>
/// <param name="Turns">One row per caller speech turn.</param>
/// <param name="ComparedTurns">Rows with a word error rate (the active engine transcribed words).</param>
/// <param name="MeanWordErrorRate">Mean of the rows' word error rates; null when none was compared.</param>
/// <param name="ActiveFirstAudioLatencyP50Ms">Median first-audio latency of the active engine's answers (lower median, as the run summary's).</param>
/// <param name="ShadowFirstAudioLatencyP50Ms">The same for the shadow's answers.</param>
/// <param name="ShadowUnansweredTurns">Turns the shadow gave no spoken answer to.</param>
/// <param name="Failure">Why the shadow stopped, if it did.</param>
/// <param name="FailedAtMs">When, on the call's timeline.</param>
/// <param name="ToolCallsNotRun">Tool calls the shadow asked for (never run: answered "shadow: not executed").</param>
/// <param name="MissedCallerAudioMs">Caller audio the shadow never heard (acknowledged before it was ready).</param>
public sealed record ShadowReport(
    string Engine,
    IReadOnlyList<ShadowTurn> Turns,
    int ComparedTurns,
    double? MeanWordErrorRate,
    long? ActiveFirstAudioLatencyP50Ms,
    long? ShadowFirstAudioLatencyP50Ms,
    int ShadowUnansweredTurns,
    string? Failure,
    long? FailedAtMs,
    int ToolCallsNotRun,
    long MissedCallerAudioMs)
{
    public static ShadowReport From(ShadowComparison comparison)
    {
        var rates = comparison.Turns.Select(t => t.WordErrorRate).OfType<double>().ToList();
        return new ShadowReport(
            comparison.Engine,
            comparison.Turns,
            rates.Count,
            rates.Count == 0 ? null : Math.Round(rates.Average(), 3),
            Median(comparison.Turns.Select(t => t.Active.FirstAudioLatencyMs)),
            Median(comparison.Turns.Select(t => t.Shadow.FirstAudioLatencyMs)),
            comparison.Turns.Count(t => t.Shadow.ResponseAudioMs == 0),
            comparison.Failure,
            comparison.FailedAtMs,
            comparison.ToolCallsNotRun,
            comparison.MissedCallerAudioMs);
    }

    private static long? Median(IEnumerable<long?> values)
    {
        var sorted = values.OfType<long>().Order().ToList();
        return sorted.Count == 0 ? null : sorted[(sorted.Count - 1) / 2];
    }
}
