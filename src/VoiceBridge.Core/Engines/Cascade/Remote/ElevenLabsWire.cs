using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// One server message of the stream-input WebSocket: an audio chunk (<c>audio</c>, base64 in the
/// requested output format), the end of generation (<c>isFinal: true</c>), or an error
/// (<c>{message, error, code}</c>, sent just before the server closes).
/// </summary>
internal sealed record ElevenLabsMessage(byte[]? Audio, bool IsFinal, string? Error);

/// <summary>
/// ElevenLabs stream-input wire codec: the client's messages (initialise with a single space and
/// the voice settings, text chunks ending in a space, an empty text to end) and a parser for the
/// server's. Pure; never throws.
/// </summary>
internal static class ElevenLabsWire
{
    /// <summary>Ends the input: the server generates what is buffered, sends <c>isFinal</c> and closes.</summary>
    public static ReadOnlySpan<byte> EndOfInput => """{"text":""}"""u8;

    public static void WriteInit(IBufferWriter<byte> output, ElevenLabsOptions options)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("text", " ");
        w.WriteStartObject("voice_settings");
        w.WriteNumber("stability", options.Stability);
        w.WriteNumber("similarity_boost", options.SimilarityBoost);
        w.WriteEndObject();
        w.WriteStartObject("generation_config");
        w.WriteStartArray("chunk_length_schedule");
        foreach (var n in options.ChunkLengthSchedule)
        {
            w.WriteNumberValue(n);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A text chunk, ending in one space as the API asks, with a request to generate now.</summary>
    public static void WriteText(IBufferWriter<byte> output, string text)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("text", text.EndsWith(' ') ? text : text + " ");
        w.WriteBoolean("try_trigger_generation", true);
        w.WriteEndObject();
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8, out ElevenLabsMessage? message, out string? error)
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

            var code = Text(root, "error");
            if (code is not null || Text(root, "message") is not null)
            {
                message = new ElevenLabsMessage(null, false, $"{code ?? "error"}: {Text(root, "message") ?? "(no message)"}");
                error = null;
                return true;
            }

            var isFinal = root.TryGetProperty("isFinal", out var final) && final.ValueKind == JsonValueKind.True;
            var hasAudio = root.TryGetProperty("audio", out var audio);
            if (!hasAudio && !isFinal)
            {
                error = $"unknown message (no audio, isFinal or error): {Excerpt(utf8)}";
                return false;
            }

            byte[]? bytes = null;
            if (hasAudio && audio.ValueKind == JsonValueKind.String && !audio.TryGetBytesFromBase64(out bytes))
            {
                error = "field 'audio' is not valid base64";
                return false;
            }

            message = new ElevenLabsMessage(bytes, isFinal, null);
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
            // A string with invalid UTF-8 or a lone surrogate escape fails only when it is read.
            error = $"malformed JSON string: {e.Message}";
            return false;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Excerpt(ReadOnlySpan<byte> utf8)
    {
        var text = System.Text.Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, 120)]);
        return utf8.Length > 120 ? text + "..." : text;
    }
}
