using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace VoiceBridge.Simulator.Chat;

/// <summary>
/// Anthropic Messages, <c>POST /v1/messages</c> with <c>stream:true</c>: named SSE events whose
/// <c>type</c> repeats the event name: <c>message_start</c>, <c>ping</c>, then per content block
/// <c>content_block_start</c> (<c>text</c> or <c>tool_use</c> with empty <c>input</c>),
/// <c>content_block_delta</c> (<c>text_delta</c> or <c>input_json_delta</c> with
/// <c>partial_json</c>), <c>content_block_stop</c>; then <c>message_delta</c> (<c>stop_reason</c>
/// <c>end_turn</c> or <c>tool_use</c>, cumulative usage) and <c>message_stop</c>.
/// </summary>
internal sealed class AnthropicMessagesWire : IChatWire
{
    public static readonly AnthropicMessagesWire Instance = new();

    public string Api => "anthropic";

    /// <summary>The key comes as <c>x-api-key</c> or (SDK 13 and later) <c>Authorization: Bearer</c>.</summary>
    public (int Status, string Message)? CheckHeaders(HttpRequest request, string? apiKey)
    {
        var key = request.Headers["x-api-key"].ToString();
        var auth = request.Headers.Authorization.ToString();
        if (key.Length == 0 && auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            key = auth["Bearer ".Length..];
        }

        if (key.Length == 0)
        {
            return (401, "x-api-key header is required");
        }

        if (apiKey is not null && key != apiKey)
        {
            return (401, "invalid x-api-key");
        }

        return request.Headers["anthropic-version"].ToString().Length == 0 ? (400, "anthropic-version: header is required") : null;
    }

    public ChatRequest Parse(JsonElement body)
    {
        WireJson.String(body, "model");
        if (WireJson.Required(body, "max_tokens").ValueKind != JsonValueKind.Number)
        {
            throw new InvalidDataException("'max_tokens' must be a number");
        }

        var messages = new List<ChatMessage>();
        if (WireJson.Optional(body, "system") is { } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, WireJson.Text(system)));
        }

        foreach (var message in WireJson.Array(body, "messages"))
        {
            messages.AddRange(Messages(message));
        }

        var tools = WireJson.Array(body, "tools").Select(t => (AITool)WireJson.Declaration(
            WireJson.String(t, "name"),
            WireJson.Optional(t, "description")?.GetString(),
            WireJson.Required(t, "input_schema"))).ToList();
        return new ChatRequest(messages, new ChatOptions { Tools = tools }, WireJson.Flag(body, "stream"), IncludeUsage: true);
    }

    /// <summary>One wire message; a user message's <c>tool_result</c> blocks become a tool message before its text.</summary>
    private static IEnumerable<ChatMessage> Messages(JsonElement message)
    {
        var role = WireJson.String(message, "role") switch
        {
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            var other => throw new InvalidDataException($"unknown message role '{other}'"),
        };
        var content = WireJson.Required(message, "content");
        if (content.ValueKind == JsonValueKind.String)
        {
            yield return new ChatMessage(role, content.GetString());
            yield break;
        }

        var results = new List<AIContent>();
        var contents = new List<AIContent>();
        foreach (var block in WireJson.Array(message, "content"))
        {
            switch (WireJson.String(block, "type"))
            {
                case "text":
                    contents.Add(new TextContent(WireJson.String(block, "text")));
                    break;
                case "tool_use":
                    contents.Add(new FunctionCallContent(
                        WireJson.String(block, "id"), WireJson.String(block, "name"), WireJson.Arguments(WireJson.Optional(block, "input"))));
                    break;
                case "tool_result":
                    results.Add(new FunctionResultContent(WireJson.String(block, "tool_use_id"), WireJson.Text(WireJson.Optional(block, "content"))));
                    break;
            }
        }

        if (results.Count > 0)
        {
            yield return new ChatMessage(ChatRole.Tool, results);
        }

        if (contents.Count > 0 || results.Count == 0)
        {
            yield return new ChatMessage(role, contents);
        }
    }

    public IReadOnlyList<SseFrame> Frames(SimulatedReply reply, bool includeUsage)
    {
        var frames = new List<SseFrame>
        {
            Event("message_start", new JsonObject
            {
                ["message"] = new JsonObject
                {
                    ["id"] = reply.Id,
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = reply.Model,
                    ["content"] = new JsonArray(),
                    ["stop_reason"] = null,
                    ["stop_sequence"] = null,
                    ["usage"] = new JsonObject { ["input_tokens"] = reply.InputTokens, ["output_tokens"] = 1 },
                },
            }),
            Event("ping", []),
        };
        var index = 0;
        if (reply.Text.Count > 0)
        {
            frames.Add(Event("content_block_start", new JsonObject { ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }));
            frames.AddRange(reply.Text.Select(t => Delta(index, "text_delta", "text", t)));
            frames.Add(Event("content_block_stop", new JsonObject { ["index"] = index++ }));
        }

        if (reply.Call is { } call)
        {
            frames.Add(Event("content_block_start", new JsonObject
            {
                ["index"] = index,
                ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = call.CallId, ["name"] = call.Name, ["input"] = new JsonObject() },
            }));
            frames.Add(Delta(index, "input_json_delta", "partial_json", "") with { Paced = false });
            frames.AddRange(reply.ArgumentFragments().Select(f => Delta(index, "input_json_delta", "partial_json", f)));
            frames.Add(Event("content_block_stop", new JsonObject { ["index"] = index }));
        }

        frames.Add(Event("message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = reply.Call is null ? "end_turn" : "tool_use", ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = reply.OutputTokens },
        }));
        frames.Add(Event("message_stop", []));
        return frames;
    }

    public SseFrame Malformed(SimulatedReply reply) =>
        new("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""");

    public string ErrorBody(int status, string message) => new JsonObject
    {
        ["type"] = "error",
        ["error"] = new JsonObject
        {
            ["type"] = status switch
            {
                400 => "invalid_request_error",
                401 => "authentication_error",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                >= 500 => "api_error",
                _ => "invalid_request_error",
            },
            ["message"] = message,
        },
    }.ToJsonString();

    public SseFrame ErrorEvent(string message, bool rateLimited) => new("error", ErrorBody(rateLimited ? 429 : 529, message));

    private static SseFrame Delta(int index, string type, string field, string value) => Event(
        "content_block_delta",
        new JsonObject { ["index"] = index, ["delta"] = new JsonObject { ["type"] = type, [field] = value } },
        paced: true);

    /// <summary>An event whose data repeats its name as <c>type</c>, first.</summary>
    private static SseFrame Event(string name, JsonObject fields, bool paced = false)
    {
        var data = new JsonObject { ["type"] = name };
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            data[key] = value;
        }

        return new SseFrame(name, data.ToJsonString(), paced);
    }
}
