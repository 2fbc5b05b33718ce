using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Faults;
using VoiceBridge.Speech;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// The last resort with a transfer target: every engine down, the caller hears the apology, then
/// the call is transferred (the replay's fake Twilio REST API sees the Calls API update) and audited.
/// </summary>
public sealed class LastResortTransferTests(ITestOutputHelper output)
{
    [Fact]
    public void When_every_engine_is_down_the_caller_hears_the_apology_and_is_transferred()
    {
        var audit = new List<AuditEvent>();
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:close@turn2")], "openai-realtime", options =>
        {
            options.LastResortTransferTo = "+1 555 123 0000";
            options.Apology = LastResort.Render(new EspeakSynthesizer(), options);
            options.AuditLog = new ListAudit(audit);
        });

        Assert.Equal("+15551230000", report.TransferredTo);
        var apology = report.Turns.Last(t => t.Role == "assistant");
        Assert.Equal(("last-resort", LastResort.TransferApology), (apology.Engine, apology.Text));
        Assert.Equal(apology.Text, apology.HeardText);
        Assert.True(report.DurationMs < 25_000, $"the call lasted {report.DurationMs} ms");
        Assert.Equal(report.Outbound.Frames, report.Outbound.FramesReceived);

        var transfer = Assert.Single(audit, e => e.Kind == "transfer");
        Assert.Equal(("last-resort", "+15551230000"), (transfer.From, transfer.To));
        Assert.DoesNotContain(audit, e => e.Kind is "hangup" or "transfer-failed");
        Assert.True(audit.FindIndex(e => e.Kind == "chain-exhausted") < audit.IndexOf(transfer));
    }

    [Fact]
    public void Without_a_transfer_target_the_last_resort_hangs_up_audited()
    {
        var audit = new List<AuditEvent>();
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:close@turn2")], "openai-realtime", options =>
            options.AuditLog = new ListAudit(audit));

        Assert.Null(report.TransferredTo);
        Assert.Equal(LastResort.DefaultApology, report.Turns.Last(t => t.Role == "assistant").Text);
        var hangup = Assert.Single(audit, e => e.Kind == "hangup");
        Assert.Equal("last-resort", hangup.From);
    }

    private sealed class ListAudit(List<AuditEvent> events) : IAuditLog
    {
        public void Record(AuditEvent auditEvent)
        {
            lock (events)
            {
                events.Add(auditEvent);
            }
        }
    }
}
