using System.Text.Json;
using VoiceBridge.Call;
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
}
