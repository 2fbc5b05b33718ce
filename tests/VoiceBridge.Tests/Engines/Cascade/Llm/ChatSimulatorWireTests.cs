using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using VoiceBridge.Simulator.Chat;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

/// <summary>The simulator's streams read raw off the socket: the exact event sequences of each API.</summary>
[Trait("Category", "Interop")]
public sealed class ChatSimulatorWireTests
{
    private const string Booking = "Book an appointment for Friday at 10 am, my name is Maria Lopez.";

    private const string Tools = """[{"type":"function","function":{"name":"check_availability","description":"d","parameters":{"type":"object"}}}]""";

    [Fact]
    public async Task Anthropic_streams_message_start_blocks_delta_and_stop()
    {
        await using var host = await ChatSimulatorHost.StartAsync(new() { FirstTokenDelay = TimeSpan.Zero, TokenInterval = TimeSpan.Zero });
        var body = """
            {"model":"claude-haiku-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"BOOKING"}],
             "tools":[{"name":"check_availability","description":"d","input_schema":{"type":"object"}}]}
            """.Replace("BOOKING", Booking);

        var events = await PostAsync(host, ChatSimulator.AnthropicPath, body, ("x-api-key", "k"), ("anthropic-version", "2023-06-01"));

        var names = events.Select(e => e.EventType).ToList();
        Assert.Equal(["message_start", "ping", "content_block_start"], names[..3]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], names[^3..]);
        Assert.All(events, e => Assert.Equal(e.EventType, (string?)JsonNode.Parse(e.Data)!["type"]));
        var blocks = events.Where(e => e.EventType == "content_block_start").Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.Equal(["text", "tool_use"], blocks.Select(b => (string?)b["content_block"]!["type"]));
        Assert.Equal(1, (int)blocks[1]["index"]!);
        Assert.Equal("{}", blocks[1]["content_block"]!["input"]!.ToJsonString());
        var json = events.Where(e => e.EventType == "content_block_delta").Select(e => JsonNode.Parse(e.Data)!["delta"]!)
            .Where(d => (string?)d["type"] == "input_json_delta").Select(d => (string)d["partial_json"]!).ToList();
        Assert.Equal("", json[0]);
        Assert.Equal("""{"day":"Friday"}""", string.Concat(json));
        Assert.Equal("tool_use", (string?)JsonNode.Parse(events[^2].Data)!["delta"]!["stop_reason"]);
    }

    [Fact]
    public async Task OpenAi_streams_chunks_tool_call_fragments_usage_and_done()
    {
        await using var host = await ChatSimulatorHost.StartAsync(new() { FirstTokenDelay = TimeSpan.Zero, TokenInterval = TimeSpan.Zero });
        var body = """
            {"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},
             "messages":[{"role":"user","content":"BOOKING"}],"tools":TOOLS}
            """.Replace("BOOKING", Booking).Replace("TOOLS", Tools);

        var events = await PostAsync(host, ChatSimulator.OpenAiPath, body, ("Authorization", "Bearer k"));

        Assert.All(events, e => Assert.Equal("message", e.EventType));
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e.Data)!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        var calls = chunks.Where(c => c["choices"]!.AsArray().Count > 0 && c["choices"]![0]!["delta"]!["tool_calls"] is not null)
            .Select(c => c["choices"]![0]!["delta"]!["tool_calls"]![0]!).ToList();
        Assert.Equal(("call_scripted_1", "function", "check_availability", ""), ((string?)calls[0]["id"], (string?)calls[0]["type"], (string?)calls[0]["function"]!["name"], (string?)calls[0]["function"]!["arguments"]));
        Assert.All(calls.Skip(1), c => Assert.Null(c["id"]));
        Assert.Equal("""{"day":"Friday"}""", string.Concat(calls.Select(c => (string)c["function"]!["arguments"]!)));
        Assert.Equal("tool_calls", (string?)chunks[^2]["choices"]![0]!["finish_reason"]);
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.True((int)chunks[^1]["usage"]!["completion_tokens"]! > 0);
    }

    [Theory]
    [InlineData(ChatSimulator.OpenAiPath, """{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.Unauthorized)]
    [InlineData(ChatSimulator.OpenAiPath, """{"model":"m","stream":false,"messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.BadRequest, "Authorization", "Bearer k")]
    [InlineData(ChatSimulator.AnthropicPath, """{"model":"m","stream":true,"messages":[]}""", HttpStatusCode.BadRequest, "x-api-key", "k")]
    [InlineData(ChatSimulator.OpenAiPath, """{"model":"m",""", HttpStatusCode.BadRequest, "Authorization", "Bearer k")]
    public async Task Bad_requests_get_the_providers_error_shape(string path, string body, HttpStatusCode status, string? header = null, string? value = null)
    {
        await using var host = await ChatSimulatorHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.BaseUri, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await host.Http.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(status, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]);
    }

    private static async Task<List<SseItem<string>>> PostAsync(ChatSimulatorHost host, string path, string body, params (string Name, string Value)[] headers)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.BaseUri, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bound.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(bound.Token)).EnumerateAsync(bound.Token))
        {
            events.Add(item);
        }

        return events;
    }
}
