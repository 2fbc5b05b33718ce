using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// Tools on the call session, on a fake clock: idempotency keys (a call re-issued across a switch
/// is not run twice), the dry-run flag, and the built-in <c>hangup</c> and <c>transfer</c>, which
/// wait until the caller has heard what the agent is saying (the marks came back).
/// </summary>
public sealed class ToolTests(ITestOutputHelper output)
{
    private const string Booked = """{"booked":true}""";

    [Fact]
    public void A_tool_gets_the_call_id_an_idempotency_key_from_the_call_and_the_provider_call_id_and_the_dry_run_flag()
    {
        var tool = new RecordingTool("lookup", "\"found\"");
        var h = new CallHarness(output, options: new CallSessionOptions { DryRunTools = true }, tools: [tool]);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("call_7", "lookup", "{}");
            await h.At(5);
        });

        var context = Assert.Single(tool.Contexts);
        Assert.Equal(("CA-test", "CA-test:call_7", true), (context.CallId, context.IdempotencyKey, context.DryRun));
        Assert.Same(h.Session, context.Call);
        Assert.Equal(CallSession.ToolIdempotencyKey("CA-test", "call_7"), context.IdempotencyKey);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"digits":"12x"}""")]
    [InlineData("""{"digits":""}""")]
    public async Task Send_dtmf_refuses_digits_that_are_not_keys(string arguments)
    {
        using var json = JsonDocument.Parse(arguments);
        var output = await new SendDtmfTool().InvokeAsync(json.RootElement, dryRun: false, CancellationToken.None);
        Assert.True(ToolRegistry.IsError(output), output);
        Assert.Contains("0-9, *, #", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Send_dtmf_on_a_leg_that_cannot_send_keys_tells_the_model_why()
    {
        var h = new CallHarness(output, tools: []);
        string? result = null;
        h.Run(async () =>
        {
            await h.Engine.Started;
            result = await new SendDtmfTool().InvokeAsync(JsonDocument.Parse("""{"digits":"1#"}""").RootElement, new ToolContext("CA-test", "k", false, h.Session), CancellationToken.None);
        });

        Assert.True(ToolRegistry.IsError(result!), result);
        Assert.Contains("cannot send keys", result, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_call_item_delivered_twice_runs_the_tool_once()
    {
        var tool = new RecordingTool("book", Booked);
        var h = new CallHarness(output, tools: [tool]);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "book", """{"day":"Friday"}""");
            await h.Engine.ToolCall("c1", "book", """{"day":"Friday"}""");
            await h.At(5);
        });

        Assert.Single(tool.Calls);
        Assert.Equal([("c1", Booked), ("c1", Booked)], h.Engine.ToolResults);
    }

    [Fact]
    public void The_same_engine_asking_the_same_thing_again_runs_the_tool_again_with_a_new_key()
    {
        var tool = new RecordingTool("check", "\"free\"");
        var h = new CallHarness(output, tools: [tool]);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "check", """{"day":"Friday"}""");
            await h.At(5);
            await h.Engine.ToolCall("c2", "check", """{"day":"Friday"}""");
            await h.At(10);
        });

        Assert.Equal(["CA-test:c1", "CA-test:c2"], tool.Contexts.Select(c => c.IdempotencyKey));
    }

    [Fact]
    public void A_call_the_next_engine_re_issues_after_a_switch_is_not_run_again_and_gets_the_earlier_result()
    {
        var chain = new ScriptedChain("a", "b");
        var tool = new RecordingTool("book", Booked);
        var h = new CallHarness(output, tools: [tool], chain: chain);
        ScriptedEngine? b = null;

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            await a.ToolCall("a_call", "book", """{"day":"Friday","time":"10:00"}""");
            await h.At(10);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            b = await chain.Engine(1);
            await b.Ready();

            // The same logical call: same tool, same arguments in another spelling, the new engine's own call id.
            await b.ToolCall("b_call", "book", """{ "time": "10:00", "day": "Friday" }""");
            await h.At(20);
        });

        Assert.Single(tool.Calls);
        Assert.Equal([("b_call", Booked)], b!.ToolResults);
        Assert.Equal(["a_call", "b_call"], summary.ToolCalls.Select(c => c.CallId));
        Assert.All(summary.ToolCalls, c => Assert.Equal(Booked, c.Output));
        Assert.Contains(h.Logger.Entries, e => e.Message.Contains("call b_call is the call CA-test:a_call already made", StringComparison.Ordinal));
    }

    [Fact]
    public void A_re_issued_call_joins_an_invocation_still_running_across_the_switch()
    {
        var chain = new ScriptedChain("a", "b");
        var tool = new GatedTool("book");
        var h = new CallHarness(output, tools: [tool], chain: chain);
        ScriptedEngine? a = null, b = null;

        h.Run(async () =>
        {
            a = await chain.Engine(0);
            await a.Ready();
            await a.ToolCall("a_call", "book", """{"day":"Friday"}""");
            await h.At(10);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            b = await chain.Engine(1);
            await b.Ready();
            await b.ToolCall("b_call", "book", """{"day":"Friday"}""");
            await h.At(20);
            tool.Release(Booked);
            await h.At(30);
        });

        Assert.Equal(1, tool.Invocations);
        Assert.Empty(a!.ToolResults); // fenced: the old engine is gone
        Assert.Equal([("b_call", Booked)], b!.ToolResults);
    }

    [Fact]
    public void A_call_that_failed_before_the_switch_runs_again_after_it_with_the_same_key()
    {
        var chain = new ScriptedChain("a", "b");
        var tool = new FlakyTool("book", failures: 1);
        var h = new CallHarness(output, tools: [tool], chain: chain);

        h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            await a.ToolCall("a_call", "book", """{"day":"Friday"}""");
            await h.At(10);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            var b = await chain.Engine(1);
            await b.Ready();
            await b.ToolCall("b_call", "book", """{"day":"Friday"}""");
            await h.At(20);
            Assert.Equal([("b_call", Booked)], b.ToolResults);
        });

        Assert.Equal(["CA-test:a_call", "CA-test:a_call"], tool.Keys);
    }

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

        Assert.Contains(error, ErrorOf(h.Engine.ToolResults[0].Output), StringComparison.Ordinal);
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

        Assert.Contains("none is configured", ErrorOf(Assert.Single(h.Engine.ToolResults).Output), StringComparison.Ordinal);
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

        Assert.Contains("already being ended or transferred", ErrorOf(h.Engine.ToolResults.Single(r => r.CallId == "c2").Output), StringComparison.Ordinal);
        Assert.Empty(h.Leg.Transfers);
        Assert.NotNull(h.Leg.HungUpAfterFrames);
    }

    [Fact]
    public void The_built_in_tools_are_exposed_to_engines_with_the_deployment_s_tools()
    {
        var registry = ToolRegistry.WithBuiltIns(new CheckAvailabilityTool());

        Assert.Equal(["check_availability", "hangup", "transfer", "send_dtmf"], registry.Definitions.Select(d => d.Name));
        Assert.All(registry.Definitions, d => JsonDocument.Parse(d.ParametersJsonSchema).Dispose());
    }

    [Fact]
    public async Task Outside_a_call_the_call_control_tools_say_there_is_no_call()
    {
        using var args = JsonDocument.Parse("{}");
        var result = await new HangUpTool().InvokeAsync(args.RootElement, dryRun: true, CancellationToken.None);

        Assert.Contains("no call", ErrorOf(result), StringComparison.Ordinal);
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

    [Fact]
    public void Arguments_are_compared_in_one_canonical_form_and_error_results_are_recognised()
    {
        Assert.Equal(
            ToolRegistry.CanonicalArguments("""{"b":[1, {"y":2,"x":1}],"a":"z"}"""),
            ToolRegistry.CanonicalArguments("""{ "a" : "z", "b" : [ 1, { "x": 1, "y": 2 } ] }"""));
        Assert.Equal("{}", ToolRegistry.CanonicalArguments(" "));
        Assert.Equal("{not json", ToolRegistry.CanonicalArguments("{not json"));
        Assert.True(ToolRegistry.IsError(ToolRegistry.Error("down")));
        Assert.False(ToolRegistry.IsError(Booked));
        Assert.False(ToolRegistry.IsError("""{"error_count":0}"""));
    }

    private static string ErrorOf(string toolOutput) => JsonDocument.Parse(toolOutput).RootElement.GetProperty("error").GetString()!;

    private sealed class RecordingAudit : IAuditLog
    {
        public List<AuditEvent> Events { get; } = [];

        public void Record(AuditEvent auditEvent)
        {
            lock (Events)
            {
                Events.Add(auditEvent);
            }
        }
    }

    /// <summary>A tool whose backend fails the first <c>failures</c> times, then books.</summary>
    private sealed class FlakyTool(string name, int failures) : IAgentTool
    {
        public ToolDefinition Definition { get; } = new(name, "fails, then works", """{"type":"object","properties":{}}""");

        public List<string> Keys { get; } = [];

        public Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
        {
            Keys.Add(context.IdempotencyKey);
            return Keys.Count <= failures ? throw new InvalidOperationException("backend down") : Task.FromResult(Booked);
        }
    }
}
