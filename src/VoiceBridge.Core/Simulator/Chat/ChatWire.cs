using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace VoiceBridge.Simulator.Chat;

/// <summary>One server-sent event; <see cref="Paced"/> events wait a token interval before going out.</summary>
internal readonly record struct SseFrame(string? Event, string Data, bool Paced = false)
{
    public byte[] ToBytes() =>
        Encoding.UTF8.GetBytes(Event is null ? $"data: {Data}\n\n" : $"event: {Event}\ndata: {Data}\n\n");
}

/// <summary>A request as the brain sees it.</summary>
internal sealed record ChatRequest(IList<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage);

/// <summary>What the brain answered: text fragments in order, then at most one tool call.</summary>
internal sealed record SimulatedReply(string Id, string Model, long Created, IReadOnlyList<string> Text, FunctionCallContent? Call, int InputTokens)
{
    public int OutputTokens => Text.Count + (Call is null ? 0 : ArgumentFragments().Count);

    public string ArgumentsJson => Call is null ? "{}" : JsonSerializer.Serialize(Call.Arguments ?? new Dictionary<string, object?>());

    /// <summary>The tool call's arguments as streamed: JSON text in pieces of a few characters.</summary>
    public IReadOnlyList<string> ArgumentFragments()
    {
        var json = ArgumentsJson;
        return [.. Enumerable.Range(0, (json.Length + 7) / 8).Select(i => json.Substring(i * 8, Math.Min(8, json.Length - (i * 8))))];
    }
}

/// <summary>One provider's HTTP shapes: request checks and parsing, the SSE stream, errors.</summary>
internal interface IChatWire
{
    /// <summary>"openai" or "anthropic".</summary>
    string Api { get; }

    /// <summary>The refusal of a request whose headers are wrong (missing key, version), else null.</summary>
    (int Status, string Message)? CheckHeaders(HttpRequest request, string? apiKey);

    /// <summary>The request body as messages and options; a bad body throws <see cref="InvalidDataException"/>.</summary>
    ChatRequest Parse(JsonElement body);

    IReadOnlyList<SseFrame> Frames(SimulatedReply reply, bool includeUsage);

    /// <summary>A line the provider's SDK cannot parse.</summary>
    SseFrame Malformed(SimulatedReply reply);

    /// <summary>The provider's error body for an HTTP error.</summary>
    string ErrorBody(int status, string message);

    /// <summary>An error reported in the middle of a stream (a server error, or a rate limit), as the provider sends one.</summary>
    SseFrame ErrorEvent(string message, bool rateLimited);
}

/// <summary>JSON reading shared by the two wires; a wrong shape is an <see cref="InvalidDataException"/>.</summary>
internal static class WireJson
{
    public static JsonElement Required(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value)
            ? value
            : throw new InvalidDataException($"'{name}' is required");

    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string String(JsonElement obj, string name) =>
        Required(obj, name) is { ValueKind: JsonValueKind.String } value
            ? value.GetString()!
            : throw new InvalidDataException($"'{name}' must be a string");

    public static bool Flag(JsonElement obj, string name) => Optional(obj, name) is { ValueKind: JsonValueKind.True };

    public static IEnumerable<JsonElement> Array(JsonElement obj, string name) =>
        Optional(obj, name) switch
        {
            null => [],
            { ValueKind: JsonValueKind.Array } array => array.EnumerateArray(),
            _ => throw new InvalidDataException($"'{name}' must be an array"),
        };

    /// <summary>Content given as a string or as an array of <c>{type:"text", text}</c> parts.</summary>
    public static string Text(JsonElement? content) => content switch
    {
        null => "",
        { ValueKind: JsonValueKind.String } s => s.GetString()!,
        { ValueKind: JsonValueKind.Array } parts => string.Concat(parts.EnumerateArray()
            .Where(p => Optional(p, "type") is { ValueKind: JsonValueKind.String } t && t.GetString() == "text")
            .Select(p => String(p, "text"))),
        _ => throw new InvalidDataException("content must be a string or an array of parts"),
    };

    /// <summary>A JSON object's properties as function-call arguments.</summary>
    public static Dictionary<string, object?> Arguments(JsonElement? input) =>
        input is { ValueKind: JsonValueKind.Object } obj
            ? obj.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : [];

    public static AIFunctionDeclaration Declaration(string name, string? description, JsonElement? schema) =>
        AIFunctionFactory.CreateDeclaration(name, description, schema ?? JsonDocument.Parse("""{"type":"object"}""").RootElement);
}
