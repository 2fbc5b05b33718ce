using VoiceBridge.Call;
using VoiceBridge.Engines.Health;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Failover;
using Xunit.Abstractions;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Engines.Health;

/// <summary>
/// When the fallback fails too, an engine the call failed on earlier that has recovered since
/// takes the call back, instead of the last resort, long before a failback's dwell. Whole call
/// path in virtual time, with the real probes.
/// </summary>
public sealed class RecoveredEngineReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void A_recovered_primary_takes_the_call_back_when_the_fallback_fails_before_the_failback_dwell()
    {
        var (report, audit) = Run(recoverPrimaryAfter: TimeSpan.FromMilliseconds(1500));

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(
            [("openai-realtime", "azure-realtime", "cannot-connect"), ("azure-realtime", "openai-realtime", "socket-lost")],
            report.Switches.Select(s => (s.From, s.To, s.Reason)));
        Assert.DoesNotContain(audit.Events, e => e.Kind is "chain-exhausted" or "hangup");
        Assert.Equal("openai-realtime", report.Turns.Last(t => t.Role == "assistant").Engine);
        Assert.Equal(0L, report.Switches[1].LostCallerAudioMs);
    }

    [Fact]
    public void A_primary_still_down_leaves_the_last_resort()
    {
        var (report, audit) = Run(recoverPrimaryAfter: null);

        Assert.Equal([("openai-realtime", "azure-realtime", "cannot-connect")], report.Switches.Select(s => (s.From, s.To, s.Reason)));
        Assert.Equal("socket-lost", Assert.Single(audit.Events, e => e.Kind == "chain-exhausted").Reason);
        Assert.Equal(LastResort.DefaultApology, report.Turns.Last(t => t.Role == "assistant").Text);
    }

    // The primary refuses the call's first connection; the fallback's socket closes at its third
    // turn. The failback dwell (60 s) is longer than the call.
    private (ReplayCallReport Report, RecordingAudit Audit) Run(TimeSpan? recoverPrimaryAfter)
    {
        var audit = new RecordingAudit();
        var report = FailoverReplay.Run(
            output,
            "booking-ulaw8k.wav",
            [FaultSpec.Parse("primary:refuse@connect"), FaultSpec.Parse("azure-realtime:close@turn3")],
            "openai-realtime,azure-realtime",
            options => options.AuditLog = audit,
            health: new ProviderHealthOptions { BreakDuration = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(500) },
            recoverPrimaryAfter: recoverPrimaryAfter);
        return (report, audit);
    }
}
