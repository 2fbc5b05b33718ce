using VoiceBridge.Engines.Health;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Failover;
using Xunit.Abstractions;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Engines.Health;

/// <summary>Failback on the whole call path in virtual time, with the real probes.</summary>
public sealed class FailbackReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void When_the_primary_recovers_a_live_call_fails_back_at_a_turn_boundary_losing_and_repeating_nothing()
    {
        var audit = new RecordingAudit();

        // The primary is down for the first 1.5 s of the call, then answers again.
        var report = FailoverReplay.Run(
            output,
            "booking-ulaw8k.wav",
            [FaultSpec.Parse("primary:refuse@connect")],
            "openai-realtime,azure-realtime",
            options => options.AuditLog = audit,
            health: new ProviderHealthOptions
            {
                BreakDuration = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(500), FailbackMinDwell = TimeSpan.FromSeconds(4),
            },
            recoverPrimaryAfter: TimeSpan.FromMilliseconds(1500));

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(
            [("openai-realtime", "azure-realtime", "cannot-connect"), ("azure-realtime", "openai-realtime", "failback")],
            report.Switches.Select(s => (s.From, s.To, s.Reason)));
        var failback = report.Switches[1];

        // Not before the dwell, and at a turn boundary: nobody speaking at the moment of the switch.
        Assert.True(failback.DetectedAtMs >= 4000, $"failed back at {failback.DetectedAtMs} ms");
        Assert.DoesNotContain(report.Turns, t => t.StartMs < failback.DetectedAtMs && t.EndMs > failback.DetectedAtMs);
        Assert.Equal((0L, 0, 0L), (failback.LostCallerAudioMs, failback.RepeatedAgentWords, failback.DuplicateAgentAudioMs));
        Assert.Equal("openai-realtime", report.Turns.Last(t => t.Role == "assistant").Engine);

        // The primary's breaker opened with the refusal and closed again after good probes, audited.
        var breakers = audit.Events.Where(e => e.Kind == BreakerAudit.Kind).Select(e => e.To).ToList();
        Assert.Equal("open", breakers[0]);
        Assert.Equal("closed", breakers[^1]);
    }
}
