using System.Buffers;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>
/// Builds the client events our production client sends, as UTF-8 JSON appended to an output buffer.
/// Each method writes exactly one event; <c>event_id</c> is written only when given.
/// Building <c>input_audio_buffer.append</c> allocates nothing.
/// </summary>
public static class RealtimeClientWriter
{
    /// <summary>
    /// <c>session.update</c> with the full GA session shape. Tool parameter schemas are written verbatim;
    /// a schema that is not a JSON object throws <see cref="ArgumentException"/> and nothing is written.
    /// </summary>
    public static void WriteSessionUpdate(IBufferWriter<byte> output, RealtimeSessionConfig session, string? eventId = null)
    {
        SessionJson.Validate(session);
        var json = new EventJsonWriter(output, "session.update"u8, eventId);
        SessionJson.Write(json.Json, session);
        json.Complete();
    }

    /// <summary><c>input_audio_buffer.append</c> carrying <paramref name="audio"/> (raw encoded bytes) as base64.</summary>
    public static void WriteInputAudioAppend(IBufferWriter<byte> output, ReadOnlySpan<byte> audio, string? eventId = null)
    {
        var json = new EventJsonWriter(output, "input_audio_buffer.append"u8, eventId);
        json.Json.WriteBase64String("audio"u8, audio);
        json.Complete();
    }

    public static void WriteInputAudioCommit(IBufferWriter<byte> output, string? eventId = null) =>
        WriteBare(output, "input_audio_buffer.commit"u8, eventId);

    public static void WriteInputAudioClear(IBufferWriter<byte> output, string? eventId = null) =>
        WriteBare(output, "input_audio_buffer.clear"u8, eventId);

    /// <summary>
    /// <c>conversation.item.create</c>; build the item with <see cref="RealtimeItem.Message"/>,
    /// <see cref="RealtimeItem.FunctionCall"/> or <see cref="RealtimeItem.FunctionCallOutput"/>.
    /// </summary>
    public static void WriteConversationItemCreate(
        IBufferWriter<byte> output,
        RealtimeItem item,
        string? previousItemId = null,
        string? eventId = null)
    {
        ItemJson.Validate(item);
        var json = new EventJsonWriter(output, "conversation.item.create"u8, eventId);
        var writer = json.Json;
        if (previousItemId is not null)
        {
            writer.WriteString("previous_item_id"u8, previousItemId);
        }

        writer.WritePropertyName("item"u8);
        ItemJson.Write(writer, item, serverEcho: false);
        json.Complete();
    }

    /// <summary><c>conversation.item.truncate</c>: cut an assistant audio item at what the caller actually heard.</summary>
    public static void WriteConversationItemTruncate(
        IBufferWriter<byte> output,
        string itemId,
        int contentIndex,
        int audioEndMs,
        string? eventId = null)
    {
        var json = new EventJsonWriter(output, "conversation.item.truncate"u8, eventId);
        var writer = json.Json;
        writer.WriteString("item_id"u8, itemId);
        writer.WriteNumber("content_index"u8, contentIndex);
        writer.WriteNumber("audio_end_ms"u8, audioEndMs);
        json.Complete();
    }

    /// <summary><c>response.create</c>; with <paramref name="instructions"/> a <c>response</c> object overrides them for this response.</summary>
    public static void WriteResponseCreate(IBufferWriter<byte> output, string? instructions = null, string? eventId = null)
    {
        var json = new EventJsonWriter(output, "response.create"u8, eventId);
        var writer = json.Json;
        if (instructions is not null)
        {
            writer.WriteStartObject("response"u8);
            writer.WriteString("instructions"u8, instructions);
            writer.WriteStartArray("output_modalities"u8);
            writer.WriteStringValue("audio"u8);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        json.Complete();
    }

    /// <summary><c>response.cancel</c>, optionally naming the response to cancel.</summary>
    public static void WriteResponseCancel(IBufferWriter<byte> output, string? responseId = null, string? eventId = null)
    {
        var json = new EventJsonWriter(output, "response.cancel"u8, eventId);
        var writer = json.Json;
        if (responseId is not null)
        {
            writer.WriteString("response_id"u8, responseId);
        }

        json.Complete();
    }

    private static void WriteBare(IBufferWriter<byte> output, ReadOnlySpan<byte> type, string? eventId)
    {
        new EventJsonWriter(output, type, eventId).Complete();
    }
}
