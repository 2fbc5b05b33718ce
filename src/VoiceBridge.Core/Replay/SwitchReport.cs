using VoiceBridge.Call;
using VoiceBridge.Media;

namespace VoiceBridge.Replay;

/// <summary>
/// One engine switch in the report, with FAILOVER.md's figures (ms on the call's timeline). The
/// bridge's own accounting gives them; <see cref="DuplicateAgentAudioMs"/> is what the fake carrier
/// heard twice (identical non-silent 20 ms frames before and after the switch).
/// </summary>
public sealed record SwitchReport(
    string From,
    string To,
    string Reason,
    string Evidence,
    long? FaultAtMs,
    long DetectedAtMs,
    long? CallerSpeechEndMs,
    long? FirstFallbackAudioAtMs,
    long? HandoffMs,
    long? DeadAirMs,
    long LostCallerAudioMs,
    long ReplayedCallerAudioMs,
    int SeededTurns,
    int RepeatedAgentWords,
    long DuplicateAgentAudioMs,
    long OutboundDiscontinuities,
    int HistoryTurnsCarried)
{
    public static SwitchReport Of(SwitchRecord r, FakeCallerResult heard) => new(
        r.From, r.To, r.Reason, r.Evidence, r.FaultAtMs, r.DetectedAtMs, r.CallerSpeechEndMs, r.FirstFallbackAudioAtMs,
        r.HandoffMs, r.DeadAirMs, r.LostCallerAudioMs, r.ReplayedCallerAudioMs, r.SeededTurns, r.RepeatedAgentWords,
        Math.Max(r.DuplicateAgentAudioMs, DuplicateFramesMs(heard.AgentTrack, r.DetectedAtMs)),
        r.OutboundDiscontinuities, r.HistoryTurnsCarried);

    /// <summary>Non-silent 20 ms frames heard after <paramref name="atMs"/> that are identical to one heard before it.</summary>
    private static long DuplicateFramesMs(short[] agent, long atMs)
    {
        var split = (int)Math.Min(agent.Length, CallClock.MsToSamples(atMs)) / CallClock.FrameSamples * CallClock.FrameSamples;
        var before = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + CallClock.FrameSamples <= split; i += CallClock.FrameSamples)
        {
            if (Key(agent.AsSpan(i, CallClock.FrameSamples)) is { } key)
            {
                before.Add(key);
            }
        }

        var duplicates = 0;
        for (var i = split; i + CallClock.FrameSamples <= agent.Length; i += CallClock.FrameSamples)
        {
            if (Key(agent.AsSpan(i, CallClock.FrameSamples)) is { } key && before.Contains(key))
            {
                duplicates++;
            }
        }

        return duplicates * CallClock.FrameMs;
    }

    /// <summary>A frame's identity, or null for near-silence (which repeats legitimately).</summary>
    private static string? Key(ReadOnlySpan<short> frame)
    {
        long energy = 0;
        foreach (var s in frame)
        {
            energy += s * s;
        }

        return energy / frame.Length < 100 * 100 ? null : Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(frame));
    }
}
