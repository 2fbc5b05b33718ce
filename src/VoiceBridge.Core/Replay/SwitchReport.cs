using VoiceBridge.Call;
using VoiceBridge.Media;

namespace VoiceBridge.Replay;

/// <summary>
/// One engine switch in the report, with FAILOVER.md's figures (ms on the call's timeline). The
/// bridge's own accounting gives them; <see cref="DuplicateAgentAudioMs"/> is what the fake carrier
/// heard twice (identical non-silent 20 ms frames of the reply the switch cut and the new engine's first reply).
/// </summary>
public sealed record SwitchReport(
    string From,
    string To,
    string Reason,
    string Evidence,
    long? FaultAtMs,
    long DetectedAtMs,
    long? CallerSpeechEndMs,
    bool ContinuesReply,
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
        r.From, r.To, r.Reason, r.Evidence, r.FaultAtMs, r.DetectedAtMs, r.CallerSpeechEndMs, r.ContinuesReply, r.FirstFallbackAudioAtMs,
        r.HandoffMs, r.DeadAirMs, r.LostCallerAudioMs, r.ReplayedCallerAudioMs, r.SeededTurns, r.RepeatedAgentWords,
        Math.Max(r.DuplicateAgentAudioMs, DuplicateFramesMs(heard.AgentTrack, r.DetectedAtMs, r.FirstFallbackAudioAtMs, heard.UtteranceEndsMs)),
        r.OutboundDiscontinuities, r.HistoryTurnsCarried)
    {
        CallerHeardAgentAtMs = r.CallerHeardAgentAtMs,
        TurnsAsItems = r.TurnsAsItems,
        SummarisedTurns = r.SummarisedTurns,
    };

    /// <summary>When the caller next heard an agent after the switch (<see cref="SwitchRecord.CallerHeardAgentAtMs"/>).</summary>
    public long? CallerHeardAgentAtMs { get; init; }

    /// <summary>Of the history, turns a Realtime engine was seeded with as items (<see cref="SwitchRecord.TurnsAsItems"/>); null for a cascade.</summary>
    public int? TurnsAsItems { get; init; }

    /// <summary>Of the history, older turns summarised into its instructions (<see cref="SwitchRecord.SummarisedTurns"/>); null for a cascade.</summary>
    public int? SummarisedTurns { get; init; }

    /// <summary>
    /// Agent audio the switch made the caller hear twice: non-silent 20 ms frames of the new engine's
    /// first reply (from its first audio to the next pause) identical to a frame of what the old
    /// engine was saying when it was replaced (its last stretch of speech before the detection, as
    /// far as it played). Earlier turns are not compared: a reply may well reuse words said minutes
    /// before, and so is a reply the caller has answered since (the caller spoke after it and before
    /// the new engine's first audio: that reply is to a new turn, e.g. both begin with "Sure").
    /// </summary>
    private static long DuplicateFramesMs(short[] agent, long detectedAtMs, long? firstFallbackAtMs, IReadOnlyList<long> callerUtteranceEndsMs)
    {
        if (firstFallbackAtMs is not { } fallbackMs)
        {
            return 0;
        }

        var frames = agent.Length / CallClock.FrameSamples;
        var detected = (int)Math.Min(frames, detectedAtMs / CallClock.FrameMs);
        var fallback = (int)Math.Min(frames, fallbackMs / CallClock.FrameMs);
        var callerSpokeSince = (int)(callerUtteranceEndsMs.Where(ms => ms < fallbackMs).DefaultIfEmpty(0).Max() / CallClock.FrameMs);
        var oldStart = detected;
        while (oldStart > callerSpokeSince && !IsPause(agent, oldStart - PauseFrames, oldStart))
        {
            oldStart--;
        }

        var newEnd = fallback;
        while (newEnd < frames && !IsPause(agent, newEnd, newEnd + PauseFrames))
        {
            newEnd++;
        }

        var before = new HashSet<string>(StringComparer.Ordinal);
        for (var f = oldStart; f < fallback; f++)
        {
            if (Key(Frame(agent, f)) is { } key)
            {
                before.Add(key);
            }
        }

        var duplicates = 0;
        for (var f = fallback; f < newEnd; f++)
        {
            if (Key(Frame(agent, f)) is { } key && before.Contains(key))
            {
                duplicates++;
            }
        }

        return duplicates * CallClock.FrameMs;
    }

    /// <summary>A pause between stretches of speech: this many silent frames in a row (300 ms).</summary>
    private const int PauseFrames = 15;

    /// <summary>Whether frames [<paramref name="from"/>, <paramref name="to"/>) are all silent (frames outside the track count as silent).</summary>
    private static bool IsPause(short[] agent, int from, int to)
    {
        var frames = agent.Length / CallClock.FrameSamples;
        for (var f = Math.Max(0, from); f < Math.Min(to, frames); f++)
        {
            if (Key(Frame(agent, f)) is not null)
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlySpan<short> Frame(short[] agent, int f) => agent.AsSpan(f * CallClock.FrameSamples, CallClock.FrameSamples);

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
