using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// The built-in <c>hangup</c> and <c>transfer</c> on the call session, on a fake clock: they wait
/// until the caller has heard what the agent is saying (the marks came back), are audited, and
/// only the first of a call is carried out; transfer targets are normalised or refused.
/// </summary>
public sealed class CallControlToolTests(ITestOutputHelper output)
{
    [Fact]
    public void Hangup_waits_until_the_caller_has_heard_the_goodbye_then_hangs_up_the_leg_and_is_audited()
    {
        var audit = new RecordingAudit();
        var h = new CallHarness(output, options: new CallSessionOptions { AuditLog = audit }, tools: ToolRegistry.BuiltIns());
        var echoed = new HashSet<string>();

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.At(100);
            await h.Engine.AgentTranscript("bye", "Thanks for calling, goodbye!");
            await h.Engine.AgentAudio("bye", TestAudio.Pattern(8000)); // 1 s, 50 frames
            await h.Engine.AgentAudioDone("bye");
            await h.Engine.ToolCall("c1", "hangup", """{"reason":"the caller said goodbye"}""");
            await h.At(1300);
            Assert.Equal(50, h.Leg.Frames.Count);
            await h.EchoMarks(49, echoed);
            await h.At(1400);
            Assert.Null(h.Leg.HungUpAfterFrames); // the end of the goodbye has not been heard yet
            await h.EchoMarks(50, echoed);
            await h.At(1440);
            Assert.Equal(50, h.Leg.HungUpAfterFrames);
        });

        var (_, result) = Assert.Single(h.Engine.ToolResults);
        Assert.True(JsonDocument.Parse(result).RootElement.GetProperty("ok").GetBoolean());
        var hangup = Assert.Single(audit.Events, e => e.Kind == "hangup");
        Assert.Equal(("CA-test", "scripted", "the caller said goodbye"), (hangup.CallId, hangup.From, hangup.Reason));
    }

    [Fact]
    public void Hangup_with_nothing_playing_hangs_up_at_once()
    {
        var h = new CallHarness(output, tools: ToolRegistry.BuiltIns());

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.At(100);
            await h.Engine.ToolCall("c1", "hangup", "{}");
            await h.At(101);
            Assert.Equal(0, h.Leg.HungUpAfterFrames);
        });
    }

    [Fact]
    public void Hangup_goes_ahead_when_the_marks_do_not_come_back_within_the_drain_timeout()
    {
        var options = new CallSessionOptions { CallControl = { DrainTimeout = TimeSpan.FromSeconds(2) } };
        var h = new CallHarness(output, options: options, tools: ToolRegistry.BuiltIns());

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.At(100);
            await h.Engine.AgentAudio("bye", TestAudio.Pattern(8000));
            await h.Engine.AgentAudioDone("bye");
            await h.Engine.ToolCall("c1", "hangup", "{}");
            await h.At(2060);
            Assert.Null(h.Leg.HungUpAfterFrames);
            await h.At(2140);
            Assert.NotNull(h.Leg.HungUpAfterFrames);
        });

        Assert.Contains(h.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("was not heard to its end within 2000 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void Transfer_to_an_allowed_target_asks_the_leg_once_the_words_were_heard_and_is_audited()
    {
        var audit = new RecordingAudit();
        var options = new CallSessionOptions
        {
            AuditLog = audit,
            CallControl = { AllowedTransferTargets = ["+1 (555) 123-4567"], TransferStreamEndTimeout = TimeSpan.FromSeconds(1) },
        };
        var h = new CallHarness(output, options: options, tools: ToolRegistry.BuiltIns());
        var echoed = new HashSet<string>();

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.At(100);
            await h.Engine.AgentAudio("t", TestAudio.Pattern(1600)); // 200 ms
            await h.Engine.AgentAudioDone("t");
            await h.Engine.ToolCall("c1", "transfer", """{"target":"+15551234567","reason":"wants a person"}""");
            await h.At(400);
            Assert.Empty(h.Leg.Transfers);
            await h.EchoMarks(10, echoed);
            await h.At(420);
            Assert.Equal([("+15551234567", 10)], h.Leg.Transfers);
            Assert.Equal("+15551234567", h.Session.TransferredTo);

            // The carrier ends the stream itself; if it does not, the bridge closes its side.
            await h.At(1400);
            Assert.Null(h.Leg.HungUpAfterFrames);
            await h.At(1440);
            Assert.NotNull(h.Leg.HungUpAfterFrames);
        });

        var output0 = JsonDocument.Parse(Assert.Single(h.Engine.ToolResults).Output).RootElement;
        Assert.Equal("+15551234567", output0.GetProperty("target").GetString());
        var transfer = Assert.Single(audit.Events, e => e.Kind == "transfer");
        Assert.Equal(("scripted", "+15551234567", "wants a person"), (transfer.From, transfer.To, transfer.Reason));
    }

    [Fact]
    public void Transfer_without_a_target_goes_to_the_default()
    {
        var options = new CallSessionOptions { CallControl = { DefaultTransferTarget = "SIP:desk@pbx.example.com" } };
        var h = new CallHarness(output, options: options, tools: ToolRegistry.BuiltIns());

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "transfer", "{}");
            await h.At(5);
        });

        Assert.Equal("sip:desk@pbx.example.com", Assert.Single(h.Leg.Transfers).Target);
    }

    [Theory]
    [InlineData("""{"target":"+1555"}""", "neither an E.164 phone number")]
    [InlineData("""{"target":"+15559999999"}""", "not a transfer target this line may use (allowed: +15551234567)")]
    [InlineData("""{"target":"sip:not a uri"}""", "is not a SIP URI")]
    [InlineData("""{"target":42}""", "'target' must be a string")]
    public void A_bad_transfer_target_is_an_error_the_model_can_read_and_nothing_happens(string arguments, string error)
    {
        var options = new CallSessionOptions { CallControl = { AllowedTransferTargets = ["+15551234567"] } };
        var h = new CallHarness(output, options: options, tools: ToolRegistry.BuiltIns());

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "transfer", arguments);
            await h.At(5);

            // A refused transfer does not use up the call's one call-control request.
            await h.Engine.ToolCall("c2", "transfer", """{"target":"+15551234567"}""");
            await h.At(10);
        });

        Assert.Contains(error, ToolTests.ErrorOf(h.Engine.ToolResults[0].Output), StringComparison.Ordinal);
        Assert.Equal([("+15551234567", 0)], h.Leg.Transfers);
    }

    [Fact]
    public void Transfer_with_no_target_and_none_configured_is_refused()
    {
        var h = new CallHarness(output, tools: ToolRegistry.BuiltIns());

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "transfer", "{}");
            await h.At(5);
        });

        Assert.Contains("none is configured", ToolTests.ErrorOf(Assert.Single(h.Engine.ToolResults).Output), StringComparison.Ordinal);
        Assert.Empty(h.Leg.Transfers);
    }

    [Fact]
    public void A_transfer_the_carrier_refuses_is_audited_and_the_call_is_hung_up_instead()
    {
        var audit = new RecordingAudit();
        var options = new CallSessionOptions { AuditLog = audit, CallControl = { DefaultTransferTarget = "+15551234567" } };
        var h = new CallHarness(output, options: options, tools: ToolRegistry.BuiltIns());
        h.Leg.TransferOutcome = _ => new InvalidOperationException("Twilio said no");

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "transfer", "{}");
            await h.At(5);
        });

        Assert.NotNull(h.Leg.HungUpAfterFrames);
        Assert.Contains(summary.Errors, e => e.Contains("transfer to +15551234567 failed: Twilio said no", StringComparison.Ordinal));
        Assert.Equal(["transfer", "transfer-failed", "hangup"], audit.Events.Select(e => e.Kind).Where(k => k != "call-ended"));
        Assert.Null(h.Session.TransferredTo);
    }

    [Fact]
    public void Only_the_first_call_control_request_of_a_call_is_carried_out()
    {
        var options = new CallSessionOptions { CallControl = { DefaultTransferTarget = "+15551234567" } };
        var h = new CallHarness(output, options: options, tools: ToolRegistry.BuiltIns());

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "hangup", "{}");
            await h.Engine.ToolCall("c2", "transfer", "{}");
            await h.At(5);
        });

        Assert.Contains("already being ended or transferred", ToolTests.ErrorOf(h.Engine.ToolResults.Single(r => r.CallId == "c2").Output), StringComparison.Ordinal);
        Assert.Empty(h.Leg.Transfers);
        Assert.NotNull(h.Leg.HungUpAfterFrames);
    }

    [Theory]
    [InlineData("+15551234567", "+15551234567")]
    [InlineData(" +1 (555) 123-4567 ", "+15551234567")]
    [InlineData("+44.20.7946.0958", "+442079460958")]
    [InlineData("sip:desk@pbx.example.com", "sip:desk@pbx.example.com")]
    [InlineData("SIPS:desk@pbx.example.com:5061;transport=tls", "sips:desk@pbx.example.com:5061;transport=tls")]
    public void Transfer_targets_are_normalized(string target, string normalized)
    {
        Assert.True(TransferTarget.TryNormalize(target, out var n, out var error), error);
        Assert.Equal(normalized, n);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5551234567")]
    [InlineData("+0551234567")]
    [InlineData("+1555123456789012")]
    [InlineData("tel:+15551234567")]
    [InlineData("sip:pbx.example.com")]
    [InlineData("sip:desk@pbx.example.com<script>")]
    public void Malformed_transfer_targets_are_refused(string target)
    {
        Assert.False(TransferTarget.TryNormalize(target, out _, out var error));
        Assert.NotEmpty(error);
    }
}
