using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using VoiceBridge.Simulator;
using VoiceBridge.Transport;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Failover;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// Recorded calls over the SIP leg in virtual time: the replay's SIP phone INVITEs the bridge and
/// streams the recording as RTP, through impairments, the bridge answers through its jitter buffer,
/// and failover keeps the RTP toward the phone one unbroken stream.
/// </summary>
public sealed class SipReplayTests(ITestOutputHelper output)
{
    /// <summary>Every fixture of media-fixtures/manifest.json.</summary>
    public static TheoryData<string> Fixtures()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("manifest.json")));
        return [.. manifest.RootElement.GetProperty("fixtures").EnumerateArray().Select(f => f.GetProperty("file").GetString()!)];
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_fixture_is_answered_over_sip(string fixture)
    {
        var report = FailoverReplay.Run(output, fixture, [], "openai-realtime,local", leg: ReplayLeg.Sip);
        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal("sip", report.Leg);
        Assert.NotNull(report.Media);
        Assert.Equal((1, 0L, 0L), (report.Rtp!.Ssrcs, report.Rtp.SequenceGaps, report.Rtp.TimestampJumps));
        Assert.Equal(0, report.Media!.BadPackets);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Jitter_loss_and_reordering_on_the_callers_rtp_still_get_every_utterance_answered(string fixture)
    {
        var impairments = new RtpImpairments(JitterMs: 30, LossPercent: 3, ReorderPercent: 2);
        var report = FailoverReplay.Run(output, fixture, [], "openai-realtime,local", leg: ReplayLeg.Sip, callerOptions: new FakeCallerOptions { Impairments = impairments });
        var media = report.Media!;
        output.WriteLine($"{fixture} with {impairments}: jitter buffer target {media.JitterTargetDelayMs} ms, concealed {media.ConcealedMs} ms, late {media.LatePackets}, duplicates {media.DuplicatePackets}, discarded {media.DiscardedPackets}, received {media.PacketsReceived}");
        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.True(media.ConcealedMs > 0, "3 % loss was applied, yet the jitter buffer concealed nothing");
        Assert.True(media.JitterTargetDelayMs > 40, $"30 ms of jitter left the target delay at {media.JitterTargetDelayMs} ms");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(60)]
    public void A_phone_sending_packets_other_than_20_ms_is_heard_whole(int packetMs)
    {
        var impairments = new RtpImpairments(PacketMs: packetMs);
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [], "openai-realtime,local", leg: ReplayLeg.Sip, callerOptions: new FakeCallerOptions { Impairments = impairments });
        var media = report.Media!;
        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal((0L, 0L, 0L), (media.WrongSizePackets, media.ConcealedMs, media.DiscardedPackets));
        Assert.Equal(report.ExpectedUtterances, report.Turns.Count(t => t.Role == "user"));
    }

    [Theory]
    [InlineData("primary:close@turn2")]
    [InlineData("primary:stall-audio@turn2")]
    [InlineData("primary:close@user2+600")]
    public void A_mid_call_failover_keeps_one_unbroken_rtp_stream_toward_the_caller(string fault)
    {
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse(fault)], "openai-realtime,local", leg: ReplayLeg.Sip);
        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal((0L, 0, 0L), (sw.LostCallerAudioMs, sw.RepeatedAgentWords, sw.DuplicateAgentAudioMs));
        Assert.Equal((1, 0L, 0L), (report.Rtp!.Ssrcs, report.Rtp.SequenceGaps, report.Rtp.TimestampJumps));
    }

    [Fact]
    public void A_key_pressed_on_the_phone_reaches_the_agent_as_rfc4733_events()
    {
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [], "openai-realtime,local", leg: ReplayLeg.Sip,
            callerOptions: new FakeCallerOptions { Dtmf = [(9000, '1')] });
        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(1, report.Media!.DtmfDigits);
        Assert.Contains(report.Turns, t => t.Dtmf == "1");
        Assert.Equal((1, 0L, 0L), (report.Rtp!.Ssrcs, report.Rtp.SequenceGaps, report.Rtp.TimestampJumps));
    }

    [Fact]
    public void The_agents_send_dtmf_tool_presses_keys_toward_the_phone_as_rfc4733_events()
    {
        var script = new SimulatorScript
        {
            Rules =
            [
                new SimulatorRule { Pattern = "book an appointment", Reply = "Connecting you to our booking line.", Tool = SendDtmfTool.Name, ToolArguments = """{"digits":"42#"}""" },
                .. SimulatorScript.Default.Rules,
            ],
        };
        var path = RepoPaths.Fixture("booking-ulaw8k.wav");
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(
                ChainSpec.Parse("openai-realtime"), new SimulatorOptions { Script = script }, new CallSessionOptions { DryRunTools = true }, time, new TestLoggerFactory(output), leg: ReplayLeg.Sip);
            return await ReplayCall.RunAsync(env, WavLoader.Load(path), expected, new FakeCallerOptions(), time, CancellationToken.None);
        });
        var report = ReplayCall.Evaluate(path, result, expected, ["openai-realtime"], null);
        output.WriteLine(string.Join("\n", report.ToolCalls.Select(c => $"{c.Name} {c.Arguments} -> {c.Output}")));
        Assert.Contains(report.ToolCalls, c => c.Name == SendDtmfTool.Name && c.Output.Contains("\"ok\":true", StringComparison.Ordinal));
        Assert.Equal("42#", report.Rtp!.DigitsHeard);
        Assert.Equal(3, report.Media!.DtmfDigitsSent);
        Assert.Equal((1, 0L, 0L), (report.Rtp.Ssrcs, report.Rtp.SequenceGaps, report.Rtp.TimestampJumps));
    }
}
