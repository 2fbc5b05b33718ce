using System.Text.Json;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// Tools on the call session, on a fake clock: idempotency keys (a call re-issued across a switch
/// is not run twice), the dry-run flag, the built-in tools' exposure (the call control tools:
/// CallControlToolTests).
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

    /// <summary>The message of a tool's error result.</summary>
    internal static string ErrorOf(string toolOutput) => JsonDocument.Parse(toolOutput).RootElement.GetProperty("error").GetString()!;

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
