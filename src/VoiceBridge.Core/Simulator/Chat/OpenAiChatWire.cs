using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using VoiceBridge.Engines.Cascade.Llm;

namespace VoiceBridge.Simulator.Chat;

/// <summary>
/// OpenAI chat completions, <c>POST /v1/chat/completions</c> with <c>stream:true</c>: data-only SSE
/// of <c>chat.completion.chunk</c> objects (<c>choices[0].delta</c> with <c>role</c>, <c>content</c>,
/// or <c>tool_calls</c> fragments by <c>index</c>, the first carrying <c>id</c>, <c>type</c> and the
/// function name), a last choice with <c>finish_reason</c>, a usage chunk with empty
/// <c>choices</c> when <c>stream_options.include_usage</c>, then <c>data: [DONE]</c>.
/// </summary>
internal sealed class OpenAiChatWire : IChatWire
{
    public static readonly OpenAiChatWire Instance = new();

    public string Api => "openai";

    public (int Status, string Message)? CheckHeaders(HttpRequest request, string? apiKey)
    {
        var auth = request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || auth.Length == "Bearer ".Length)
        {
            return (401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.");
        }

        return apiKey is not null && auth["Bearer ".Length..] != apiKey ? (401, "Incorrect API key provided.") : null;
    }

    public ChatRequest Parse(JsonElement body)
    {
        WireJson.String(body, "model");
        var messages = WireJson.Array(body, "messages").Select(Message).ToList();
        if (messages.Count == 0)
        {
            throw new InvalidDataException("'messages' must hold at least one message");
        }

        var tools = WireJson.Array(body, "tools").Select(t =>
        {
            var function = WireJson.Required(t, "function");
            return (AITool)WireJson.Declaration(
                WireJson.String(function, "name"),
                WireJson.Optional(function, "description")?.GetString(),
                WireJson.Optional(function, "parameters"));
        }).ToList();
        var streamOptions = WireJson.Optional(body, "stream_options");
        return new ChatRequest(
            messages,
            new ChatOptions { Tools = tools },
            WireJson.Flag(body, "stream"),
            streamOptions is { } so && WireJson.Flag(so, "include_usage"));
    }

    private static ChatMessage Message(JsonElement message)
    {
        var role = WireJson.String(message, "role");
        var content = WireJson.Optional(message, "content");
        switch (role)
        {
            case "system" or "developer":
                return new ChatMessage(ChatRole.System, WireJson.Text(content));
            case "user":
                return new ChatMessage(ChatRole.User, WireJson.Text(content));
            case "tool":
                return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(WireJson.String(message, "tool_call_id"), WireJson.Text(content))]);
            case "assistant":
                var contents = new List<AIContent>();
                if (WireJson.Text(content) is { Length: > 0 } text)
                {
                    contents.Add(new TextContent(text));
                }

                foreach (var call in WireJson.Array(message, "tool_calls"))
                {
                    var function = WireJson.Required(call, "function");
                    contents.Add(ConversationMessages.ToolCallContent(
                        WireJson.String(call, "id"), WireJson.String(function, "name"), WireJson.String(function, "arguments")));
                }

                return new ChatMessage(ChatRole.Assistant, contents);
            default:
                throw new InvalidDataException($"unknown message role '{role}'");
        }
    }

    public IReadOnlyList<SseFrame> Frames(SimulatedReply reply, bool includeUsage)
    {
        var frames = new List<SseFrame> { Chunk(reply, new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null }) };
        frames.AddRange(reply.Text.Select(t => Chunk(reply, new JsonObject { ["content"] = t }, paced: true)));
        if (reply.Call is { } call)
        {
            frames.Add(Chunk(reply, ToolCallDelta(new JsonObject
            {
                ["index"] = 0,
                ["id"] = call.CallId,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = "" },
            }), paced: true));
            frames.AddRange(reply.ArgumentFragments().Select(f => Chunk(
                reply, ToolCallDelta(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = f } }), paced: true)));
        }

        frames.Add(Chunk(reply, [], reply.Call is null ? "stop" : "tool_calls"));
        if (includeUsage)
        {
            var usage = Envelope(reply, []);
            usage["usage"] = new JsonObject
            {
                ["prompt_tokens"] = reply.InputTokens,
                ["completion_tokens"] = reply.OutputTokens,
                ["total_tokens"] = reply.InputTokens + reply.OutputTokens,
            };
            frames.Add(new SseFrame(null, usage.ToJsonString()));
        }

        frames.Add(new SseFrame(null, "[DONE]"));
        return frames;
    }

    public SseFrame Malformed(SimulatedReply reply) =>
        new(null, $$"""{"id":"{{reply.Id}}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":""");

    public string ErrorBody(int status, string message) => new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = status switch { 429 => "requests", >= 500 => "server_error", _ => "invalid_request_error" },
            ["param"] = null,
            ["code"] = status == 429 ? "rate_limit_exceeded" : null,
        },
    }.ToJsonString();

    public SseFrame ErrorEvent(string message, bool rateLimited) => new(null, ErrorBody(rateLimited ? 429 : 500, message));

    private static JsonObject ToolCallDelta(JsonObject call) => new() { ["tool_calls"] = new JsonArray(call) };

    private static SseFrame Chunk(SimulatedReply reply, JsonObject delta, string? finishReason = null, bool paced = false) =>
        new(null, Envelope(reply, [new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        }]).ToJsonString(), paced);

    private static JsonObject Envelope(SimulatedReply reply, JsonArray choices) => new()
    {
        ["id"] = reply.Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = reply.Created,
        ["model"] = reply.Model,
        ["system_fingerprint"] = "fp_voicebridge_sim",
        ["choices"] = choices,
    };
}
