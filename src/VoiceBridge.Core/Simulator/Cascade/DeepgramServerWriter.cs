using System.Text.Json;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>A Results segment: seconds of stream audio, the transcript and Deepgram's flags.</summary>
internal readonly record struct DeepgramSegment(double Start, double Duration, string Transcript, double Confidence, bool IsFinal, bool SpeechFinal, bool FromFinalize);

/// <summary>Writes the server messages of Deepgram's live <c>/v1/listen</c> WebSocket, in its GA shapes.</summary>
internal static class DeepgramServerWriter
{
    public static void WriteResults(Utf8JsonWriter w, DeepgramSegment segment, string requestId)
    {
        w.WriteStartObject();
        w.WriteString("type", "Results");
        w.WriteStartArray("channel_index");
        w.WriteNumberValue(0);
        w.WriteNumberValue(1);
        w.WriteEndArray();
        w.WriteNumber("duration", Math.Round(segment.Duration, 3));
        w.WriteNumber("start", Math.Round(segment.Start, 3));
        w.WriteBoolean("is_final", segment.IsFinal);
        w.WriteBoolean("speech_final", segment.SpeechFinal);
        w.WriteStartObject("channel");
        w.WriteStartArray("alternatives");
        w.WriteStartObject();
        w.WriteString("transcript", segment.Transcript);
        w.WriteNumber("confidence", segment.Confidence);
        WriteWords(w, segment);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("metadata");
        w.WriteString("request_id", requestId);
        w.WriteStartObject("model_info");
        w.WriteString("name", "simulated");
        w.WriteString("version", "voicebridge-sim");
        w.WriteString("arch", "energy-vad+hints");
        w.WriteEndObject();
        w.WriteString("model_uuid", "00000000-0000-0000-0000-000000000000");
        w.WriteEndObject();
        w.WriteBoolean("from_finalize", segment.FromFinalize);
        w.WriteEndObject();
    }

    public static void WriteSpeechStarted(Utf8JsonWriter w, double timestamp)
    {
        w.WriteStartObject();
        w.WriteString("type", "SpeechStarted");
        WriteChannel(w, "channel");
        w.WriteNumber("timestamp", Math.Round(timestamp, 3));
        w.WriteEndObject();
    }

    public static void WriteUtteranceEnd(Utf8JsonWriter w, double lastWordEnd)
    {
        w.WriteStartObject();
        w.WriteString("type", "UtteranceEnd");
        WriteChannel(w, "channel");
        w.WriteNumber("last_word_end", Math.Round(lastWordEnd, 3));
        w.WriteEndObject();
    }

    /// <summary>The summary sent after CloseStream, before the server closes.</summary>
    public static void WriteMetadata(Utf8JsonWriter w, string requestId, string sha256, DateTimeOffset created, double duration)
    {
        w.WriteStartObject();
        w.WriteString("type", "Metadata");
        w.WriteString("transaction_key", "deprecated");
        w.WriteString("request_id", requestId);
        w.WriteString("sha256", sha256);
        w.WriteString("created", created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNumber("duration", Math.Round(duration, 3));
        w.WriteNumber("channels", 1);
        w.WriteEndObject();
    }

    /// <summary>An in-stream <c>Error</c> message (before Deepgram closes the stream).</summary>
    public static void WriteError(Utf8JsonWriter w, string description, string message, string variant)
    {
        w.WriteStartObject();
        w.WriteString("type", "Error");
        w.WriteString("description", description);
        w.WriteString("message", message);
        w.WriteString("variant", variant);
        w.WriteEndObject();
    }

    /// <summary>Deepgram's HTTP error body (a refused upgrade).</summary>
    public static void WriteHttpError(Utf8JsonWriter w, string code, string message, string requestId)
    {
        w.WriteStartObject();
        w.WriteString("err_code", code);
        w.WriteString("err_msg", message);
        w.WriteString("request_id", requestId);
        w.WriteEndObject();
    }

    /// <summary>Words spread evenly over the segment: lower-case bare words and their punctuated forms.</summary>
    private static void WriteWords(Utf8JsonWriter w, DeepgramSegment segment)
    {
        var words = segment.Transcript.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        w.WriteStartArray("words");
        for (var i = 0; i < words.Length; i++)
        {
            var each = segment.Duration / words.Length;
            w.WriteStartObject();
            w.WriteString("word", words[i].Trim(',', '.', '?', '!', ';', ':').ToLowerInvariant());
            w.WriteNumber("start", Math.Round(segment.Start + (i * each), 3));
            w.WriteNumber("end", Math.Round(segment.Start + ((i + 1) * each), 3));
            w.WriteNumber("confidence", segment.Confidence);
            w.WriteString("punctuated_word", words[i]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteChannel(Utf8JsonWriter w, string name)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(0);
        w.WriteNumberValue(1);
        w.WriteEndArray();
    }
}
