using VoiceBridge.Call;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Engines.Health;
using Xunit.Abstractions;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// A stall on the last engine standing (nowhere to switch to) is given
/// <see cref="FailoverOptions.LastEngineStallGraceMs"/> before the last resort: an answer that
/// comes late is played, a mute engine still ends in the apology. Whole call path, virtual time.
/// </summary>
public sealed class LastEngineStallGraceTests(ITestOutputHelper output)
{
    [Fact]
    public void A_late_answer_from_the_last_engine_is_waited_for_and_the_call_goes_on()
    {
        // The replies from turn 2 on start 4 s late: past the response stall (500 + 2500 ms), inside the grace.
        var audit = new RecordingAudit();
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:slow:4000@turn2")], "openai-realtime", options =>
            options.AuditLog = audit);

        Assert.Empty(report.Switches);
        Assert.DoesNotContain(audit.Events, e => e.Kind is "chain-exhausted" or "hangup");
        Assert.DoesNotContain(report.Turns, t => t.Engine == "last-resort");
        // The fault slows every reply from turn 2 on: each late one is given its grace.
        var graces = audit.Events.Where(e => e.Kind == "stall-grace").ToList();
        Assert.Equal(3, graces.Count);
        Assert.All(graces, g => Assert.Equal(("openai-realtime", "response-stall"), (g.From, g.Reason)));
        Assert.All(graces, g => Assert.Contains("\"graceMs\":5000", g.DetailsJson, StringComparison.Ordinal));

        // Every caller turn is answered by the one engine, the late one included.
        var users = report.Turns.Count(t => t.Role == "user");
        Assert.Equal(4, users);
        Assert.Equal(users, report.Turns.Count(t => t.Role == "assistant" && t.Engine == "openai-realtime" && t.Text.Length > 0));
        Assert.Equal(3, report.Turns.Count(t => t.Role == "assistant" && t.FirstAudioLatencyMs > 3000));
    }

    [Fact]
    public void A_last_engine_mute_through_the_grace_goes_to_the_last_resort_when_the_grace_is_over()
    {
        var audit = new RecordingAudit();
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:stall-response@turn2")], "openai-realtime", options =>
            options.AuditLog = audit);

        var grace = Assert.Single(audit.Events, e => e.Kind == "stall-grace");
        var exhausted = Assert.Single(audit.Events, e => e.Kind == "chain-exhausted");
        Assert.Equal("response-stall", exhausted.Reason);
        Assert.Contains("5000 ms of grace", exhausted.DetailsJson, StringComparison.Ordinal);

        // The grace runs on the call clock from the stall; the checks run on the call's 20 ms tick.
        Assert.InRange(exhausted.CallMs - grace.CallMs, 5000, 5020);
        Assert.Equal(LastResort.DefaultApology, report.Turns.Last(t => t.Role == "assistant").Text);
        Assert.Equal("last-resort", Assert.Single(audit.Events, e => e.Kind == "hangup").From);
    }

    [Fact]
    public void With_no_grace_configured_a_stall_on_the_last_engine_goes_to_the_last_resort_at_once()
    {
        var audit = new RecordingAudit();
        FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:slow:4000@turn2")], "openai-realtime", options =>
        {
            options.AuditLog = audit;
            options.Failover.LastEngineStallGraceMs = 0;
        });

        Assert.DoesNotContain(audit.Events, e => e.Kind == "stall-grace");
        Assert.Equal("response-stall", Assert.Single(audit.Events, e => e.Kind == "chain-exhausted").Reason);
    }

    [Fact]
    public void With_another_engine_available_a_stall_switches_at_once_without_grace()
    {
        var audit = new RecordingAudit();
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:slow:4000@turn2")], "openai-realtime,azure-realtime", options =>
            options.AuditLog = audit);

        Assert.DoesNotContain(audit.Events, e => e.Kind == "stall-grace");
        var sw = Assert.Single(report.Switches);
        Assert.Equal(("azure-realtime", "response-stall"), (sw.To, sw.Reason));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(60001)]
    public void A_grace_out_of_range_is_refused_naming_its_key(int graceMs)
    {
        var errors = new FailoverOptions { LastEngineStallGraceMs = graceMs }.Validate();

        Assert.Equal($"Failover:LastEngineStallGraceMs must be 0-60000, got {graceMs}", Assert.Single(errors));
    }
}
