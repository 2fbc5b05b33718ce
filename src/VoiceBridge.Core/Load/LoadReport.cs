using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceBridge.Load;

/// <summary>
/// <c>load --report</c>: the last (largest) step's figures at the top, every step in <see cref="Steps"/>,
/// and the largest step measured with no late frame.
/// </summary>
public sealed record LoadReport
{
    public required string Server { get; init; }

    public int? BridgePid { get; init; }

    public int Calls { get; init; }

    public int DurationS { get; init; }

    public double? CpuPercentPerCall { get; init; }

    public double? CallsPerCore { get; init; }

    public double? MemoryMbPerCall { get; init; }

    public double? HopInP50Ms { get; init; }

    public double? HopInP99Ms { get; init; }

    public double? HopOutP50Ms { get; init; }

    public double? HopOutP99Ms { get; init; }

    public long FramesSent { get; init; }

    public long? FramesLate { get; init; }

    public long? FramesLost { get; init; }

    /// <summary>The largest step with no late frame; null when every step had some.</summary>
    public int? MaxCallsWithoutLateFrames { get; init; }

    /// <summary>
    /// The largest step keeping real time: at most <see cref="RealTimeLateFraction"/> of its frames
    /// late (see <see cref="MaxKeepingRealTime"/>); null when no step did.
    /// </summary>
    public int? MaxCallsKeepingRealTime { get; init; }

    public required IReadOnlyList<LoadStep> Steps { get; init; }

    /// <summary>
    /// The largest step, in order of calls, up to which every step connected all its calls with
    /// <see cref="LoadStep.FramesLate"/> zero: measured, never extrapolated, and conservative (a
    /// clean step above a step with late frames does not count).
    /// </summary>
    public static int? MaxWithoutLate(IEnumerable<LoadStep> steps)
    {
        int? max = null;
        foreach (var step in steps.OrderBy(s => s.Calls))
        {
            if (step.FramesLate != 0 || step.CallsConnected != step.Calls)
            {
                break;
            }

            max = step.Calls;
        }

        return max;
    }

    /// <summary>Late frames a step may have, as a fraction of the frames it carried, and still keep real time: one in a thousand.</summary>
    public const double RealTimeLateFraction = 0.001;

    /// <summary>
    /// Like <see cref="MaxWithoutLate"/>, but a step keeps real time with at most one frame in a
    /// thousand late (late frames over caller frames sent plus agent frames received): on a shared
    /// machine one GC pause or a neighbour's burst makes a few frames late at any load, so the strict
    /// rule finds no step at all, while the knee, where late frames start to grow with the load, is
    /// what sizing needs. Still measured, not extrapolated, and conservative in the same way.
    /// </summary>
    public static int? MaxKeepingRealTime(IEnumerable<LoadStep> steps)
    {
        int? max = null;
        foreach (var step in steps.OrderBy(s => s.Calls))
        {
            var carried = step.FramesSent + step.AgentFramesReceived;
            if (step.FramesLate is not { } late || carried == 0 || late > RealTimeLateFraction * carried || step.CallsConnected != step.Calls)
            {
                break;
            }

            max = step.Calls;
        }

        return max;
    }

    public static LoadReport Of(string server, int? pid, IReadOnlyList<LoadStep> steps)
    {
        var last = steps[^1];
        return new LoadReport
        {
            Server = server, BridgePid = pid, Calls = last.Calls, DurationS = last.DurationS,
            CpuPercentPerCall = last.CpuPercentPerCall, CallsPerCore = last.CallsPerCore, MemoryMbPerCall = last.MemoryMbPerCall,
            HopInP50Ms = last.HopIn?.P50Ms, HopInP99Ms = last.HopIn?.P99Ms, HopOutP50Ms = last.HopOut.P50Ms, HopOutP99Ms = last.HopOut.P99Ms,
            FramesSent = last.FramesSent, FramesLate = last.FramesLate, FramesLost = last.FramesLost,
            MaxCallsWithoutLateFrames = MaxWithoutLate(steps), MaxCallsKeepingRealTime = MaxKeepingRealTime(steps), Steps = steps,
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, LoadJson.Options);
}

/// <summary>One step of the load curve: N calls for S seconds.</summary>
public sealed record LoadStep
{
    public int Calls { get; init; }

    public int CallsConnected { get; init; }

    public int DurationS { get; init; }

    public double? IdleCpuPercent { get; init; }

    public double? LoadedCpuPercent { get; init; }

    public double? IdleRssMb { get; init; }

    public double? LoadedRssMb { get; init; }

    public double? CpuPercentPerCall { get; init; }

    public double? CallsPerCore { get; init; }

    public double? MemoryMbPerCall { get; init; }

    /// <summary>Caller frame sent to its arrival at the provider (from the simulator's probe).</summary>
    public HopSummary? HopIn { get; init; }

    /// <summary>Provider's first delta of a reply sent to its first frame at the caller.</summary>
    public required HopSummary HopOut { get; init; }

    public required HopSummary FirstAudio { get; init; }

    public long FramesSent { get; init; }

    public long FramesNotSent { get; init; }

    public long? FramesReceivedByProvider { get; init; }

    /// <summary>Caller frames above 20 ms hop in, plus agent frames that came after the caller's buffer ran dry mid-reply.</summary>
    public long? FramesLate { get; init; }

    public long AgentFramesLate { get; init; }

    public long AgentFramesReceived { get; init; }

    /// <summary>Caller frames sent that never reached the provider.</summary>
    public long? FramesLost { get; init; }

    public long Turns { get; init; }

    public long TurnsUnanswered { get; init; }

    public long SenderLateTicks { get; init; }

    /// <summary>Sessions the storm dropped; null without a storm.</summary>
    public int? StormDropped { get; init; }

    /// <summary>The storm's switches, from the bridge's audit log; null when not read.</summary>
    public HandoffDistribution? Handoffs { get; init; }
}

/// <summary>The storm's switches and the distribution of their FAILOVER.md figures across calls.</summary>
public sealed record HandoffDistribution(int Calls, int Switches, double? HandoffP50Ms, double? HandoffP99Ms, double? HandoffMaxMs, double? DeadAirP50Ms, double? DeadAirP99Ms)
{
    /// <summary>Calls with at least one switch.</summary>
    public int CallsSwitched { get; init; }

    /// <summary>Caller audio lost at switches, summed over the calls (ms); 0 when the storm held.</summary>
    public double LostCallerAudioMs { get; init; }

    public int CallsLosingCallerAudio { get; init; }

    /// <summary>Breaks in the caller's outbound stream during handoffs, summed over the calls; 0 when the storm held.</summary>
    public double OutboundDiscontinuities { get; init; }

    public int CallsWithDiscontinuities { get; init; }

    /// <summary>Calls for which no engine was left (audited <c>chain-exhausted</c>): the last resort ended them; 0 when the storm held.</summary>
    public int CallsChainExhausted { get; init; }

    /// <summary>Stalls on the last engine standing that were given a grace (audited <c>stall-grace</c>): an overloaded fallback shows here first.</summary>
    public int StallGraces { get; init; }

    /// <summary>
    /// The storm rule: every call switched, none lost caller audio, none broke its outbound
    /// stream, and none was left without an engine.
    /// </summary>
    public bool Held => Calls > 0 && CallsSwitched == Calls && CallsLosingCallerAudio == 0 && CallsWithDiscontinuities == 0 && CallsChainExhausted == 0;
}

/// <summary>Per-call figures from whole-process samples.</summary>
public static class LoadMath
{
    /// <summary>(loaded - idle) / calls, percent of one core; null when either is unknown or there are no calls.</summary>
    public static double? PerCall(double? idle, double? loaded, int calls) =>
        idle is { } i && loaded is { } l && calls > 0 ? (l - i) / calls : null;

    /// <summary>100 / CPU percent per call: how many calls one core carries; null when the cost is not positive.</summary>
    public static double? CallsPerCore(double? cpuPercentPerCall) =>
        cpuPercentPerCall is > 0 and var c ? 100 / c : null;

    /// <summary>Sent minus received, never negative; null when the provider's count is unknown.</summary>
    public static long? Lost(long sent, long? received) => received is { } r ? Math.Max(0, sent - r) : null;
}

internal static class LoadJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
