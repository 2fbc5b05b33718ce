using System.Text.Json;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>Writes the server messages of ElevenLabs' stream-input WebSocket.</summary>
internal static class ElevenLabsServerWriter
{
    /// <summary>An audio chunk (base64 mu-law) with the alignment of the characters that start in it (ms relative to the chunk).</summary>
    public static void WriteAudio(Utf8JsonWriter w, ReadOnlySpan<byte> audio, string text, double textStartMs, double msPerChar, double chunkStartMs, double chunkMs)
    {
        w.WriteStartObject();
        w.WriteBase64String("audio", audio);
        w.WriteBoolean("isFinal", false);
        foreach (var name in (ReadOnlySpan<string>)["normalizedAlignment", "alignment"])
        {
            w.WriteStartObject(name);
            var first = (int)Math.Clamp(Math.Ceiling((chunkStartMs - textStartMs) / msPerChar), 0, text.Length);
            var end = (int)Math.Clamp(Math.Ceiling((chunkStartMs + chunkMs - textStartMs) / msPerChar), 0, text.Length);
            w.WriteStartArray("charStartTimesMs");
            for (var i = first; i < end; i++)
            {
                w.WriteNumberValue((int)Math.Round(textStartMs + (i * msPerChar) - chunkStartMs));
            }

            w.WriteEndArray();
            w.WriteStartArray("charDurationsMs");
            for (var i = first; i < end; i++)
            {
                w.WriteNumberValue((int)Math.Round(msPerChar));
            }

            w.WriteEndArray();
            w.WriteStartArray("chars");
            for (var i = first; i < end; i++)
            {
                w.WriteStringValue(text.AsSpan(i, 1));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>The end of generation; the server closes after it.</summary>
    public static void WriteFinal(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteBoolean("isFinal", true);
        w.WriteEndObject();
    }

    /// <summary>ElevenLabs' in-band error, sent just before a 1008 close.</summary>
    public static void WriteError(Utf8JsonWriter w, string error, string message)
    {
        w.WriteStartObject();
        w.WriteString("message", message);
        w.WriteString("error", error);
        w.WriteNumber("code", 1008);
        w.WriteEndObject();
    }

    /// <summary>ElevenLabs' HTTP error body (a refused upgrade).</summary>
    public static void WriteHttpError(Utf8JsonWriter w, string status, string message)
    {
        w.WriteStartObject();
        w.WriteStartObject("detail");
        w.WriteString("status", status);
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
