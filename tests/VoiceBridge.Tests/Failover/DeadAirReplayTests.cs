using VoiceBridge.Engines.Health;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// The handoff figures against what the caller heard (the fake carrier's agent track), on the
/// whole call path in virtual time: dead air is the silence the switch made, counted once it
/// was owed (docs/failover.md, "Figures"), and no switch's silence goes unreported.
/// </summary>
public sealed class DeadAirReplayTests(ITestOutputHelper output)
{
    /// <summary>A frame is heard when its RMS is over this (as the report's duplicate-audio check).</summary>
    private const int AudibleRms = 100;

    [Fact]
    public void A_switch_whose_engine_fails_before_speaking_reports_the_silence_until_the_caller_heard_an_agent_again()
    {
        // "Got it." is cut; the cascade's LLM stalls before it says anything, so the caller hears
        // about two seconds of silence before the local engine goes on.
        var (report, heard) = FailoverReplay.RunObserved(output, "booking-ulaw8k.wav",
            [FaultSpec.Parse("primary:close@turn2+500"), FaultSpec.Parse("cascade-remote.llm:stall-audio@turn1")], "openai-realtime,cascade-remote,local");

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(2, report.Switches.Count);
        var (first, second) = (report.Switches[0], report.Switches[1]);
        Assert.Null(first.FirstFallbackAudioAtMs);
        Assert.Equal(second.FirstFallbackAudioAtMs, first.CallerHeardAgentAtMs);
        Assert.Equal(second.FirstFallbackAudioAtMs - first.DetectedAtMs, first.HandoffMs);

        var silence = SilenceBefore(heard.AgentTrack, second.FirstFallbackAudioAtMs!.Value);
        Assert.True(silence > 1500, $"the caller heard {silence} ms of silence");
        Assert.InRange(first.DeadAirMs!.Value, silence - 40, silence);
        Assert.Equal(0, second.DeadAirMs);

        // The run's figures hold the silence too.
        var summary = ReplaySummary.Of([report]);
        Assert.Equal(first.DeadAirMs, summary.DeadAirMs!.Max);
        Assert.Equal(first.HandoffMs, summary.HandoffMs!.Max);
    }

    [Fact]
    public void A_response_stall_counts_the_silence_from_when_the_reply_was_due()
    {
        var (report, heard) = FailoverReplay.RunObserved(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:stall-response@turn2")], "openai-realtime,local");

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal("response-stall", sw.Reason);
        var callerEnd = sw.CallerSpeechEndMs!.Value;
        var normalGap = report.Turns.Where(t => t.FirstAudioLatencyMs is not null && t.StartMs < sw.DetectedAtMs).Min(t => t.FirstAudioLatencyMs!.Value);

        // What the caller heard: their turn ended, then nothing until the fallback's first audio.
        Assert.InRange(LastHeardBefore(heard.CallerTrack, sw.DetectedAtMs), callerEnd - 40, callerEnd);
        Assert.True(FirstHeardFrom(heard.AgentTrack, callerEnd) >= sw.FirstFallbackAudioAtMs, "the agent spoke before the fallback");
        Assert.Equal(sw.FirstFallbackAudioAtMs - (callerEnd + normalGap), sw.DeadAirMs);
        Assert.True(sw.DeadAirMs > 2000, $"dead air {sw.DeadAirMs} ms");
    }

    [Theory]
    [InlineData("primary:close@turn2+300", "openai-realtime,azure-realtime")]
    [InlineData("primary:blackhole@turn2+500", "openai-realtime,local")]
    public void A_gap_in_the_middle_of_a_reply_is_dead_air_whole(string fault, string chain)
    {
        // The agent is cut mid-sentence: no pause is normal there, however short.
        var (report, heard) = FailoverReplay.RunObserved(output, "booking-ulaw8k.wav", [FaultSpec.Parse(fault)], chain);

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.True(sw.ContinuesReply);
        var silence = SilenceBefore(heard.AgentTrack, sw.FirstFallbackAudioAtMs!.Value);
        Assert.True(silence >= 100, $"the caller heard {silence} ms of silence");
        Assert.InRange(sw.DeadAirMs!.Value, silence - 40, silence);
    }

    [Fact]
    public void A_failback_at_a_turn_boundary_does_not_count_the_callers_own_pause()
    {
        // The primary is down for the first 1.5 s of the call, then answers again: the call fails
        // back at a turn boundary, and the caller speaks a while after it.
        var report = FailoverReplay.Run(
            output,
            "booking-ulaw8k.wav",
            [FaultSpec.Parse("primary:refuse@connect")],
            "openai-realtime,local",
            health: new ProviderHealthOptions
            {
                BreakDuration = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(500), FailbackMinDwell = TimeSpan.FromSeconds(4),
            },
            recoverPrimaryAfter: TimeSpan.FromMilliseconds(1500));

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var failback = Assert.Single(report.Switches, s => s.Reason == "failback");
        var turn = report.Turns.First(t => t.Role == "user" && t.EndMs > failback.DetectedAtMs);
        Assert.True(turn.StartMs - failback.DetectedAtMs > 500, $"the caller spoke {turn.StartMs - failback.DetectedAtMs} ms after the switch");
        Assert.Equal(turn.EndMs, failback.CallerSpeechEndMs);
        var normalGap = report.Turns.Where(t => t.FirstAudioLatencyMs is not null && t.StartMs < failback.FirstFallbackAudioAtMs).Min(t => t.FirstAudioLatencyMs!.Value);
        Assert.Equal(Math.Max(0, failback.FirstFallbackAudioAtMs!.Value - turn.EndMs - normalGap), failback.DeadAirMs);
    }

    /// <summary>The silence just before the first frame heard at or after <paramref name="atMs"/>: back to the end of the one heard before it.</summary>
    private static long SilenceBefore(short[] track, long atMs)
    {
        var first = FirstHeardFrom(track, atMs);
        return first - LastHeardBefore(track, first);
    }

    private static long FirstHeardFrom(short[] track, long ms)
    {
        var frame = (int)(ms / CallClock.FrameMs);
        while (frame * CallClock.FrameSamples < track.Length && !Heard(track, frame))
        {
            frame++;
        }

        return frame * CallClock.FrameMs;
    }

    /// <summary>The end of the last frame heard that starts before <paramref name="ms"/>; 0 when none.</summary>
    private static long LastHeardBefore(short[] track, long ms)
    {
        var frame = (int)(ms / CallClock.FrameMs) - 1;
        while (frame >= 0 && !Heard(track, frame))
        {
            frame--;
        }

        return (frame + 1) * CallClock.FrameMs;
    }

    private static bool Heard(short[] track, int frame)
    {
        var samples = track.AsSpan(frame * CallClock.FrameSamples, Math.Min(CallClock.FrameSamples, track.Length - (frame * CallClock.FrameSamples)));
        long energy = 0;
        foreach (var s in samples)
        {
            energy += s * s;
        }

        return samples.Length > 0 && energy / samples.Length >= AudibleRms * AudibleRms;
    }
}
