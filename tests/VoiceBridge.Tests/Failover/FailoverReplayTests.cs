using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// Mid-call failover on the whole call path in virtual time: faults injected into the simulated
/// primary, the call handed to the next engine of the chain, and FAILOVER.md's figures checked.
/// </summary>
public sealed class FailoverReplayTests(ITestOutputHelper output)
{
    private const string Chain = "openai-realtime,azure-realtime";

    [Theory]
    [InlineData("primary:close@turn1", "socket-lost")]
    [InlineData("primary:close@turn2", "socket-lost")]
    [InlineData("primary:error@turn2", "provider-error")]
    [InlineData("primary:stall-response@turn2", "response-stall")]
    [InlineData("primary:stall-audio@turn2+500", "audio-stall")]
    [InlineData("primary:blackhole@turn3", "audio-stall")]
    [InlineData("primary:blackhole@user3+200", "response-stall")]
    [InlineData("primary:slow:4000@turn2", "response-stall")]
    [InlineData("primary:close@user2+400", "socket-lost")]
    [InlineData("primary:refuse@connect", "cannot-connect")]
    [InlineData("primary:http5xx@connect", "cannot-connect")]
    public void A_fault_hands_the_call_over_without_losing_or_repeating_anything(string fault, string reason)
    {
        var report = Replay("booking-ulaw8k.wav", [FaultSpec.Parse(fault)]);

        var sw = Assert.Single(report.Switches);
        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(("openai-realtime", "azure-realtime", reason), (sw.From, sw.To, sw.Reason));
        Assert.Equal(0, sw.LostCallerAudioMs);
        Assert.Equal(0, sw.RepeatedAgentWords);
        Assert.Equal(0, sw.DuplicateAgentAudioMs);
        Assert.Equal(0, sw.OutboundDiscontinuities);
        Assert.NotNull(sw.FirstFallbackAudioAtMs);
        Assert.NotNull(sw.FaultAtMs);
        Assert.True(sw.FaultAtMs <= sw.DetectedAtMs, $"fault at {sw.FaultAtMs} ms, detected at {sw.DetectedAtMs} ms");
        // Everything said before the switch (a reply cut by it as far as it was heard, even if it
        // played on after the switch), except a caller turn still being spoken (its audio is replayed instead).
        var turnsBefore = report.Turns.Count(t =>
            (t.StartMs < sw.DetectedAtMs || (t.StartMs == sw.DetectedAtMs && (t.Role == "user" || t.Engine != sw.To)) || (t.Interrupted && t.Engine == sw.From))
            && t.Text.Length > 0 && !(t.Role == "user" && t.EndMs > sw.DetectedAtMs));
        Assert.Equal(turnsBefore, sw.HistoryTurnsCarried);
        Assert.Equal(4, report.Turns.Count(t => t.Role == "user"));
        Assert.Equal(0, report.Outbound.Discontinuities);
    }

    [Theory]
    [InlineData("booking-ulaw8k.wav", "primary:close@turn3")]
    [InlineData("booking-ulaw8k.wav", "primary:stall-response@turn3")]
    [InlineData("booking-ulaw8k.wav", "primary:close@user3+300")]
    public void The_local_cascade_takes_over_and_carries_the_conversation_on(string fixture, string fault)
    {
        var report = Replay(fixture, [FaultSpec.Parse(fault)], "openai-realtime,local");

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal("local", sw.To);

        // The slots filled before the switch (the day from turn 2, the name from turn 3) are used after it.
        var afterSwitch = string.Join(" ", report.Turns.Where(t => t.Role == "assistant" && t.Engine == "local").Select(t => t.Text));
        Assert.Contains("Maria Lopez", afterSwitch);
        Assert.Contains("omorrow", afterSwitch);
        Assert.Contains(report.ToolCalls, c => c.Engine == "local" && c.Name == "check_availability");
    }

    [Fact]
    public void When_every_engine_is_down_the_caller_hears_the_apology_and_the_call_is_ended()
    {
        var report = Replay("booking-ulaw8k.wav", [FaultSpec.Parse("primary:close@turn2")], "openai-realtime");

        Assert.Empty(report.Switches);
        Assert.Contains(report.Errors, e => e.Contains("every engine of the chain is down", StringComparison.Ordinal));

        // The apology is the last thing the caller hears, then the bridge ends the call long
        // before the recording would have (it still had two utterances to say).
        var apology = report.Turns.Last(t => t.Role == "assistant");
        Assert.Equal(("last-resort", LastResort.DefaultApology), (apology.Engine, apology.Text));
        Assert.Equal(apology.Text, apology.HeardText);
        Assert.True(report.DurationMs < 25_000, $"the call lasted {report.DurationMs} ms");
        Assert.Equal(report.Outbound.Frames, report.Outbound.FramesReceived);
    }

    private ReplayCallReport Replay(string fixture, IReadOnlyList<FaultSpec> faults, string chainText = Chain) =>
        FailoverReplay.Run(output, fixture, faults, chainText);
}
