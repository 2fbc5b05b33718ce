using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>
/// Builds the GA server events the provider simulator sends, as UTF-8 JSON appended to an output buffer.
/// Every event carries the caller's <c>event_id</c>. Building <c>response.output_audio.delta</c> allocates nothing.
/// </summary>
public static partial class RealtimeServerWriter
{
    public static void WriteSessionCreated(IBufferWriter<byte> output, string eventId, string sessionId, string model, RealtimeSessionConfig session) =>
        WriteSession(output, "session.created"u8, eventId, sessionId, model, session);

    public static void WriteSessionUpdated(IBufferWriter<byte> output, string eventId, string sessionId, string model, RealtimeSessionConfig session) =>
        WriteSession(output, "session.updated"u8, eventId, sessionId, model, session);

    /// <summary><c>error</c>; <paramref name="clientEventId"/> names the client event that caused it, when known.</summary>
    public static void WriteError(
        IBufferWriter<byte> output,
        string eventId,
        string type,
        string? code,
        string message,
        string? param = null,
        string? clientEventId = null)
    {
        var json = new EventJsonWriter(output, "error"u8, eventId);
        var writer = json.Json;
        writer.WriteStartObject("error"u8);
        writer.WriteString("type"u8, type);
        writer.WriteString("code"u8, code);
        writer.WriteString("message"u8, message);
        writer.WriteString("param"u8, param);
        writer.WriteString("event_id"u8, clientEventId);
        writer.WriteEndObject();
        json.Complete();
    }

    public static void WriteSpeechStarted(IBufferWriter<byte> output, string eventId, int audioStartMs, string itemId)
    {
        var json = new EventJsonWriter(output, "input_audio_buffer.speech_started"u8, eventId);
        var writer = json.Json;
        writer.WriteNumber("audio_start_ms"u8, audioStartMs);
        writer.WriteString("item_id"u8, itemId);
        json.Complete();
    }

    public static void WriteSpeechStopped(IBufferWriter<byte> output, string eventId, int audioEndMs, string itemId)
    {
        var json = new EventJsonWriter(output, "input_audio_buffer.speech_stopped"u8, eventId);
        var writer = json.Json;
        writer.WriteNumber("audio_end_ms"u8, audioEndMs);
        writer.WriteString("item_id"u8, itemId);
        json.Complete();
    }

    public static void WriteInputAudioCommitted(IBufferWriter<byte> output, string eventId, string itemId, string? previousItemId)
    {
        var json = new EventJsonWriter(output, "input_audio_buffer.committed"u8, eventId);
        var writer = json.Json;
        writer.WriteString("previous_item_id"u8, previousItemId);
        writer.WriteString("item_id"u8, itemId);
        json.Complete();
    }

    public static void WriteInputAudioCleared(IBufferWriter<byte> output, string eventId)
    {
        new EventJsonWriter(output, "input_audio_buffer.cleared"u8, eventId).Complete();
    }

    public static void WriteConversationItemAdded(IBufferWriter<byte> output, string eventId, RealtimeItem item, string? previousItemId) =>
        WriteConversationItem(output, "conversation.item.added"u8, eventId, item, previousItemId);

    public static void WriteConversationItemDone(IBufferWriter<byte> output, string eventId, RealtimeItem item, string? previousItemId) =>
        WriteConversationItem(output, "conversation.item.done"u8, eventId, item, previousItemId);

    public static void WriteConversationItemTruncated(IBufferWriter<byte> output, string eventId, string itemId, int contentIndex, int audioEndMs)
    {
        var json = new EventJsonWriter(output, "conversation.item.truncated"u8, eventId);
        var writer = json.Json;
        writer.WriteString("item_id"u8, itemId);
        writer.WriteNumber("content_index"u8, contentIndex);
        writer.WriteNumber("audio_end_ms"u8, audioEndMs);
        json.Complete();
    }

    public static void WriteInputTranscriptionDelta(IBufferWriter<byte> output, string eventId, string itemId, int contentIndex, string delta)
    {
        var json = new EventJsonWriter(output, "conversation.item.input_audio_transcription.delta"u8, eventId);
        var writer = json.Json;
        writer.WriteString("item_id"u8, itemId);
        writer.WriteNumber("content_index"u8, contentIndex);
        writer.WriteString("delta"u8, delta);
        json.Complete();
    }

    /// <summary>The transcript of a committed item; <paramref name="logprobs"/> (token, logprob) when the session asked for them.</summary>
    public static void WriteInputTranscriptionCompleted(
        IBufferWriter<byte> output,
        string eventId,
        string itemId,
        int contentIndex,
        string transcript,
        IReadOnlyList<(string Token, double Logprob)>? logprobs = null)
    {
        var json = new EventJsonWriter(output, "conversation.item.input_audio_transcription.completed"u8, eventId);
        var writer = json.Json;
        writer.WriteString("item_id"u8, itemId);
        writer.WriteNumber("content_index"u8, contentIndex);
        writer.WriteString("transcript"u8, transcript);
        if (logprobs is not null)
        {
            writer.WriteStartArray("logprobs"u8);
            foreach (var (token, logprob) in logprobs)
            {
                writer.WriteStartObject();
                writer.WriteString("token"u8, token);
                writer.WriteNumber("logprob"u8, logprob);
                writer.WriteStartArray("bytes"u8);
                foreach (var b in System.Text.Encoding.UTF8.GetBytes(token))
                {
                    writer.WriteNumberValue(b);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        json.Complete();
    }

    public static void WriteInputTranscriptionFailed(IBufferWriter<byte> output, string eventId, string itemId, int contentIndex, string message)
    {
        var json = new EventJsonWriter(output, "conversation.item.input_audio_transcription.failed"u8, eventId);
        var writer = json.Json;
        writer.WriteString("item_id"u8, itemId);
        writer.WriteNumber("content_index"u8, contentIndex);
        writer.WriteStartObject("error"u8);
        writer.WriteString("type"u8, "transcription_error"u8);
        writer.WriteNull("code"u8);
        writer.WriteString("message"u8, message);
        writer.WriteNull("param"u8);
        writer.WriteEndObject();
        json.Complete();
    }

    public static void WriteRateLimitsUpdated(IBufferWriter<byte> output, string eventId, IReadOnlyList<RealtimeRateLimit> rateLimits)
    {
        var json = new EventJsonWriter(output, "rate_limits.updated"u8, eventId);
        var writer = json.Json;
        writer.WriteStartArray("rate_limits"u8);
        foreach (var limit in rateLimits)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, limit.Name);
            writer.WriteNumber("limit"u8, limit.Limit);
            writer.WriteNumber("remaining"u8, limit.Remaining);
            writer.WriteNumber("reset_seconds"u8, limit.ResetSeconds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        json.Complete();
    }

    private static void WriteSession(
        IBufferWriter<byte> output,
        ReadOnlySpan<byte> type,
        string eventId,
        string sessionId,
        string model,
        RealtimeSessionConfig session)
    {
        SessionJson.Validate(session);
        var json = new EventJsonWriter(output, type, eventId);
        SessionJson.Write(json.Json, session, sessionId, model);
        json.Complete();
    }

    private static void WriteConversationItem(
        IBufferWriter<byte> output,
        ReadOnlySpan<byte> type,
        string eventId,
        RealtimeItem item,
        string? previousItemId)
    {
        ItemJson.Validate(item);
        var json = new EventJsonWriter(output, type, eventId);
        var writer = json.Json;
        writer.WriteString("previous_item_id"u8, previousItemId);
        WriteItem(writer, item);
        json.Complete();
    }

    private static void WriteItem(Utf8JsonWriter writer, RealtimeItem item)
    {
        writer.WritePropertyName("item"u8);
        ItemJson.Write(writer, item, serverEcho: true);
    }
}
