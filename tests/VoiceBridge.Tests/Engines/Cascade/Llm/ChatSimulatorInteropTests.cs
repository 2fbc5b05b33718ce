using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines.Cascade.Llm;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

/// <summary>The official OpenAI and Anthropic SDK clients against the chat simulator over real sockets.</summary>
[Trait("Category", "Interop")]
public sealed class ChatSimulatorInteropTests
{
    private const string Hours = "We're open Monday to Friday, eight to six, and Saturday mornings, nine to one.";

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Streaming_text_arrives_in_several_updates(string provider)
    {
        await using var host = await ChatSimulatorHost.StartAsync();
        using var client = host.Client(provider);

        var reply = await new DialogHarness(client).SayAsync("What are your opening hours?");

        Assert.Equal(Hours, reply.Text);
        Assert.Equal(14, reply.Updates.Count(u => u.Text.Length > 0));
        Assert.Contains(reply.Updates, u => u.FinishReason == ChatFinishReason.Stop);
        Assert.Equal(ScriptedDialogChatClient.Model, reply.Updates.Last(u => u.ModelId is not null).ModelId);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task A_tool_call_round_trips(string provider)
    {
        await using var host = await ChatSimulatorHost.StartAsync();
        using var client = host.Client(provider);
        var dialog = new DialogHarness(client);

        var check = await dialog.SayAsync("I'd like to book an appointment for Friday at 10 am. My name is Maria Lopez.");
        Assert.Equal("Sure, I can help you book an appointment. One moment while I check Friday.", check.Text);
        Assert.NotNull(check.Call);
        Assert.Equal(("call_scripted_1", "check_availability"), (check.Call.CallId, check.Call.Name));
        Assert.Equal("Friday", check.Call.Arguments!["day"]!.ToString());
        var confirmation = await dialog.RunToolAsync(check.Call);

        Assert.Equal("Thank you, Maria Lopez. Friday has openings at 10:00 and 14:30, and I've booked you in for Friday at 10 am. See you then!", confirmation.Text);
        var resent = JsonNode.Parse(host.Simulator.Control.Requests.Last().Body.GetRawText())!["messages"]!.AsArray();
        if (provider == "openai")
        {
            Assert.Equal("call_scripted_1", (string?)resent[^2]!["tool_calls"]![0]!["id"]);
            Assert.Equal(("tool", "call_scripted_1"), ((string?)resent[^1]!["role"], (string?)resent[^1]!["tool_call_id"]));
        }
        else
        {
            Assert.Equal("tool_use", (string?)resent[^2]!["content"]![1]!["type"]);
            Assert.Equal(("tool_result", "call_scripted_1"), ((string?)resent[^1]!["content"]![0]!["type"], (string?)resent[^1]!["content"]![0]!["tool_use_id"]));
        }
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task Tools_reach_the_wire_in_the_golden_form_plus_the_adapters_closed_schema(string provider)
    {
        await using var host = await ChatSimulatorHost.StartAsync();
        using var client = host.Client(provider);
        var tool = new CheckAvailabilityTool().Definition;

        await new DialogHarness(client).SayAsync("Hello?");

        var sent = JsonNode.Parse(host.Simulator.Control.Requests.Single().Body.GetRawText())!["tools"]![0]!;
        var golden = provider == "openai" ? ToolTranslation.ToOpenAiChat(tool) : ToolTranslation.ToAnthropic(tool);
        var schema = provider == "openai" ? golden["function"]!["parameters"]! : golden["input_schema"]!;
        schema["additionalProperties"] = false;
        ToolTranslationTests.AssertJson(golden.ToJsonString(), sent);
    }

    [Fact]
    public async Task Pacing_is_realistic_by_default()
    {
        await using var host = await ChatSimulatorHost.StartAsync();
        using var client = host.Client("openai");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();

        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "What are your hours?")], null, bound.Token))
        {
            if (update.Text.Length > 0)
            {
                arrivals.Add(clock.Elapsed);
            }
        }

        Assert.True(arrivals[0] >= TimeSpan.FromMilliseconds(190), $"first token after {arrivals[0].TotalMilliseconds} ms");
        Assert.True(arrivals[^1] - arrivals[0] >= TimeSpan.FromMilliseconds(15 * 13), $"spread {(arrivals[^1] - arrivals[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task The_simulator_refuses_a_wrong_key()
    {
        await using var host = await ChatSimulatorHost.StartAsync(new() { ApiKey = "sk-right" });
        using var client = host.Client("anthropic");

        var error = await Assert.ThrowsAsync<ChatProviderException>(() => new DialogHarness(client).SayAsync("Hi"));

        Assert.Equal((ChatFailure.Rejected, 401), (error.Failure, error.StatusCode));
    }
}
