using System.Text.Json;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>The kinds of message Deepgram's live <c>/v1/listen</c> WebSocket sends.</summary>
internal enum DeepgramMessageKind
{
    Results,
    Metadata,
    UtteranceEnd,
    SpeechStarted,
    Error,
    Unknown,
}

/// <summary>
/// One server message, flattened to what a bridge uses. <see cref="Transcript"/> and
/// <see cref="Confidence"/> come from <c>channel.alternatives[0]</c>; <see cref="Start"/> and
/// <see cref="Duration"/> are seconds of submitted audio.
/// </summary>
internal sealed record DeepgramMessage(DeepgramMessageKind Kind, string TypeName)
{
    public string Transcript { get; init; } = "";

    public double? Confidence { get; init; }

    public bool IsFinal { get; init; }

    public bool SpeechFinal { get; init; }

    public bool FromFinalize { get; init; }

    public double Start { get; init; }

    public double Duration { get; init; }

    /// <summary>Metadata's <c>request_id</c> (Results carry it under <c>metadata.request_id</c>).</summary>
    public string? RequestId { get; init; }

    /// <summary>An Error message's description (or message), as Deepgram's SDKs read it.</summary>
    public string? ErrorText { get; init; }
}

/// <summary>
/// Deepgram live-streaming wire codec: the client's control messages and a parser for the server's
/// JSON messages. Pure: bytes in, a typed message or an error out; never throws.
/// </summary>
internal static class DeepgramWire
{
    /// <summary>Keeps an idle stream open (the server closes with NET-0001 after 10 s without audio or text).</summary>
    public static ReadOnlySpan<byte> KeepAlive => """{"type":"KeepAlive"}"""u8;

    /// <summary>Flushes buffered audio; the answer is a Results message with <c>from_finalize: true</c> (not guaranteed when little audio is buffered).</summary>
    public static ReadOnlySpan<byte> Finalize => """{"type":"Finalize"}"""u8;

    /// <summary>Finishes the stream: final results, a Metadata message, then the server closes.</summary>
    public static ReadOnlySpan<byte> CloseStream => """{"type":"CloseStream"}"""u8;

    /// <summary>Parses one server message; false with a reason when it is not a JSON object with a string <c>type</c>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out DeepgramMessage? message, out string? error)
    {
        message = null;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"expected a JSON object, found {root.ValueKind}";
                return false;
            }

            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                error = "missing string field 'type'";
                return false;
            }

            message = Read(root, type.GetString()!);
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            error = $"malformed JSON: {e.Message}";
            return false;
        }
        catch (InvalidOperationException e)
        {
            error = $"unexpected field type: {e.Message}";
            return false;
        }
    }

    private static DeepgramMessage Read(JsonElement root, string type) => type switch
    {
        "Results" => ReadResults(root),
        "Metadata" => new DeepgramMessage(DeepgramMessageKind.Metadata, type) { RequestId = String(root, "request_id") },
        "UtteranceEnd" => new DeepgramMessage(DeepgramMessageKind.UtteranceEnd, type),
        "SpeechStarted" => new DeepgramMessage(DeepgramMessageKind.SpeechStarted, type),
        "Error" => new DeepgramMessage(DeepgramMessageKind.Error, type)
        {
            ErrorText = String(root, "description") ?? String(root, "message") ?? String(root, "variant") ?? "(no description)",
        },
        _ => new DeepgramMessage(DeepgramMessageKind.Unknown, type),
    };

    private static DeepgramMessage ReadResults(JsonElement root)
    {
        string transcript = "";
        double? confidence = null;
        if (root.TryGetProperty("channel", out var channel) && channel.ValueKind == JsonValueKind.Object
            && channel.TryGetProperty("alternatives", out var alternatives) && alternatives.ValueKind == JsonValueKind.Array
            && alternatives.GetArrayLength() > 0)
        {
            var best = alternatives[0];
            transcript = String(best, "transcript") ?? "";
            confidence = best.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : null;
        }

        return new DeepgramMessage(DeepgramMessageKind.Results, "Results")
        {
            Transcript = transcript,
            Confidence = confidence,
            IsFinal = Bool(root, "is_final"),
            SpeechFinal = Bool(root, "speech_final"),
            FromFinalize = Bool(root, "from_finalize"),
            Start = Number(root, "start"),
            Duration = Number(root, "duration"),
            RequestId = root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? String(metadata, "request_id") : null,
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static double Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;
}
