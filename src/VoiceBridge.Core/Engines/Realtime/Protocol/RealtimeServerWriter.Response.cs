using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Response lifecycle and streaming events.</summary>
public static partial class RealtimeServerWriter
{
    /// <summary><c>response.created</c>; normally status <see cref="RealtimeResponseStatus.InProgress"/> with no output yet.</summary>
    public static void WriteResponseCreated(IBufferWriter<byte> output, string eventId, RealtimeResponse response) =>
        WriteResponse(output, "response.created"u8, eventId, response);

    /// <summary><c>response.done</c> with the final status, its details and every output item.</summary>
    public static void WriteResponseDone(IBufferWriter<byte> output, string eventId, RealtimeResponse response) =>
        WriteResponse(output, "response.done"u8, eventId, response);

    public static void WriteOutputItemAdded(IBufferWriter<byte> output, string eventId, string responseId, int outputIndex, RealtimeItem item) =>
        WriteOutputItem(output, "response.output_item.added"u8, eventId, responseId, outputIndex, item);

    public static void WriteOutputItemDone(IBufferWriter<byte> output, string eventId, string responseId, int outputIndex, RealtimeItem item) =>
        WriteOutputItem(output, "response.output_item.done"u8, eventId, responseId, outputIndex, item);

    /// <summary><c>response.content_part.added</c> for an audio part with an empty transcript.</summary>
    public static void WriteContentPartAdded(IBufferWriter<byte> output, string eventId, string responseId, string itemId, int outputIndex, int contentIndex) =>
        WriteContentPart(output, "response.content_part.added"u8, eventId, responseId, itemId, outputIndex, contentIndex, "");

    /// <summary><c>response.content_part.done</c> for an audio part with its final transcript.</summary>
    public static void WriteContentPartDone(
        IBufferWriter<byte> output, string eventId, string responseId, string itemId, int outputIndex, int contentIndex, string transcript) =>
        WriteContentPart(output, "response.content_part.done"u8, eventId, responseId, itemId, outputIndex, contentIndex, transcript);

    /// <summary><c>response.output_audio.delta</c> with <paramref name="audio"/> as base64; allocates nothing.</summary>
    public static void WriteOutputAudioDelta(
        IBufferWriter<byte> output, string eventId, string responseId, string itemId, int outputIndex, int contentIndex, ReadOnlySpan<byte> audio)
    {
        var json = StartContentEvent(output, "response.output_audio.delta"u8, eventId, responseId, itemId, outputIndex, contentIndex);
        json.Json.WriteBase64String("delta"u8, audio);
        json.Complete();
    }

    public static void WriteOutputAudioDone(IBufferWriter<byte> output, string eventId, string responseId, string itemId, int outputIndex, int contentIndex)
    {
        StartContentEvent(output, "response.output_audio.done"u8, eventId, responseId, itemId, outputIndex, contentIndex).Complete();
    }

    public static void WriteOutputAudioTranscriptDelta(
        IBufferWriter<byte> output, string eventId, string responseId, string itemId, int outputIndex, int contentIndex, string delta)
    {
        var json = StartContentEvent(output, "response.output_audio_transcript.delta"u8, eventId, responseId, itemId, outputIndex, contentIndex);
        json.Json.WriteString("delta"u8, delta);
        json.Complete();
    }

    public static void WriteOutputAudioTranscriptDone(
        IBufferWriter<byte> output, string eventId, string responseId, string itemId, int outputIndex, int contentIndex, string transcript)
    {
        var json = StartContentEvent(output, "response.output_audio_transcript.done"u8, eventId, responseId, itemId, outputIndex, contentIndex);
        json.Json.WriteString("transcript"u8, transcript);
        json.Complete();
    }

    public static void WriteFunctionCallArgumentsDelta(
        IBufferWriter<byte> output, string eventId, string responseId, string itemId, int outputIndex, string callId, string delta)
    {
        var json = StartFunctionCallEvent(output, "response.function_call_arguments.delta"u8, eventId, responseId, itemId, outputIndex, callId);
        json.Json.WriteString("delta"u8, delta);
        json.Complete();
    }

    public static void WriteFunctionCallArgumentsDone(
        IBufferWriter<byte> output, string eventId, string responseId, string itemId, int outputIndex, string callId, string name, string arguments)
    {
        var json = StartFunctionCallEvent(output, "response.function_call_arguments.done"u8, eventId, responseId, itemId, outputIndex, callId);
        json.Json.WriteString("name"u8, name);
        json.Json.WriteString("arguments"u8, arguments);
        json.Complete();
    }

    private static void WriteResponse(IBufferWriter<byte> output, ReadOnlySpan<byte> type, string eventId, RealtimeResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Status == RealtimeResponseStatus.Unknown)
        {
            throw new ArgumentException("an unknown status cannot be written", nameof(response));
        }

        foreach (var item in response.Output)
        {
            ItemJson.Validate(item);
        }

        var json = new EventJsonWriter(output, type, eventId);
        var writer = json.Json;
        writer.WriteStartObject("response"u8);
        writer.WriteString("object"u8, "realtime.response"u8);
        writer.WriteString("id"u8, response.Id);
        writer.WriteString("status"u8, RealtimeWireNames.Status(response.Status));
        WriteStatusDetails(writer, response.StatusDetails);
        writer.WriteStartArray("output"u8);
        foreach (var item in response.Output)
        {
            ItemJson.Write(writer, item, serverEcho: true);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("output_modalities"u8);
        writer.WriteStringValue("audio"u8);
        writer.WriteEndArray();
        writer.WriteEndObject();
        json.Complete();
    }

    private static void WriteStatusDetails(Utf8JsonWriter writer, RealtimeStatusDetails? details)
    {
        if (details is null)
        {
            writer.WriteNull("status_details"u8);
            return;
        }

        writer.WriteStartObject("status_details"u8);
        writer.WriteString("type"u8, details.Type);
        if (details.Reason is not null)
        {
            writer.WriteString("reason"u8, details.Reason);
        }

        if (details.ErrorType is not null || details.ErrorCode is not null || details.ErrorMessage is not null)
        {
            writer.WriteStartObject("error"u8);
            writer.WriteString("type"u8, details.ErrorType);
            writer.WriteString("code"u8, details.ErrorCode);
            writer.WriteString("message"u8, details.ErrorMessage);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteOutputItem(
        IBufferWriter<byte> output, ReadOnlySpan<byte> type, string eventId, string responseId, int outputIndex, RealtimeItem item)
    {
        ItemJson.Validate(item);
        var json = new EventJsonWriter(output, type, eventId);
        var writer = json.Json;
        writer.WriteString("response_id"u8, responseId);
        writer.WriteNumber("output_index"u8, outputIndex);
        WriteItem(writer, item);
        json.Complete();
    }

    private static void WriteContentPart(
        IBufferWriter<byte> output,
        ReadOnlySpan<byte> type,
        string eventId,
        string responseId,
        string itemId,
        int outputIndex,
        int contentIndex,
        string transcript)
    {
        var json = StartContentEvent(output, type, eventId, responseId, itemId, outputIndex, contentIndex);
        var writer = json.Json;
        writer.WriteStartObject("part"u8);
        writer.WriteString("type"u8, "audio"u8);
        writer.WriteString("transcript"u8, transcript);
        writer.WriteEndObject();
        json.Complete();
    }

    private static EventJsonWriter StartContentEvent(
        IBufferWriter<byte> output, ReadOnlySpan<byte> type, string eventId, string responseId, string itemId, int outputIndex, int contentIndex)
    {
        var json = new EventJsonWriter(output, type, eventId);
        json.Json.WriteString("response_id"u8, responseId);
        json.Json.WriteString("item_id"u8, itemId);
        json.Json.WriteNumber("output_index"u8, outputIndex);
        json.Json.WriteNumber("content_index"u8, contentIndex);
        return json;
    }

    private static EventJsonWriter StartFunctionCallEvent(
        IBufferWriter<byte> output, ReadOnlySpan<byte> type, string eventId, string responseId, string itemId, int outputIndex, string callId)
    {
        var json = new EventJsonWriter(output, type, eventId);
        json.Json.WriteString("response_id"u8, responseId);
        json.Json.WriteString("item_id"u8, itemId);
        json.Json.WriteNumber("output_index"u8, outputIndex);
        json.Json.WriteString("call_id"u8, callId);
        return json;
    }
}
