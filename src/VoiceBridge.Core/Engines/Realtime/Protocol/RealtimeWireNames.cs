using System.Collections.Frozen;
using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Wire spellings of event types and enum-valued fields, both directions, allocation-free.</summary>
internal static class RealtimeWireNames
{
    public static readonly FrozenDictionary<string, (RealtimeServerEventType Value, string Name)>.AlternateLookup<ReadOnlySpan<char>> ServerEvents =
        Lookup(new Dictionary<string, RealtimeServerEventType>
        {
            ["session.created"] = RealtimeServerEventType.SessionCreated,
            ["session.updated"] = RealtimeServerEventType.SessionUpdated,
            ["error"] = RealtimeServerEventType.Error,
            ["input_audio_buffer.speech_started"] = RealtimeServerEventType.InputAudioBufferSpeechStarted,
            ["input_audio_buffer.speech_stopped"] = RealtimeServerEventType.InputAudioBufferSpeechStopped,
            ["input_audio_buffer.committed"] = RealtimeServerEventType.InputAudioBufferCommitted,
            ["input_audio_buffer.cleared"] = RealtimeServerEventType.InputAudioBufferCleared,
            ["conversation.item.added"] = RealtimeServerEventType.ConversationItemAdded,
            ["conversation.item.created"] = RealtimeServerEventType.ConversationItemAdded,
            ["conversation.item.done"] = RealtimeServerEventType.ConversationItemDone,
            ["conversation.item.truncated"] = RealtimeServerEventType.ConversationItemTruncated,
            ["conversation.item.input_audio_transcription.delta"] = RealtimeServerEventType.InputAudioTranscriptionDelta,
            ["conversation.item.input_audio_transcription.completed"] = RealtimeServerEventType.InputAudioTranscriptionCompleted,
            ["conversation.item.input_audio_transcription.failed"] = RealtimeServerEventType.InputAudioTranscriptionFailed,
            ["response.created"] = RealtimeServerEventType.ResponseCreated,
            ["response.output_item.added"] = RealtimeServerEventType.ResponseOutputItemAdded,
            ["response.output_item.done"] = RealtimeServerEventType.ResponseOutputItemDone,
            ["response.content_part.added"] = RealtimeServerEventType.ResponseContentPartAdded,
            ["response.content_part.done"] = RealtimeServerEventType.ResponseContentPartDone,
            ["response.output_audio.delta"] = RealtimeServerEventType.ResponseOutputAudioDelta,
            ["response.audio.delta"] = RealtimeServerEventType.ResponseOutputAudioDelta,
            ["response.output_audio.done"] = RealtimeServerEventType.ResponseOutputAudioDone,
            ["response.audio.done"] = RealtimeServerEventType.ResponseOutputAudioDone,
            ["response.output_audio_transcript.delta"] = RealtimeServerEventType.ResponseOutputAudioTranscriptDelta,
            ["response.audio_transcript.delta"] = RealtimeServerEventType.ResponseOutputAudioTranscriptDelta,
            ["response.output_audio_transcript.done"] = RealtimeServerEventType.ResponseOutputAudioTranscriptDone,
            ["response.audio_transcript.done"] = RealtimeServerEventType.ResponseOutputAudioTranscriptDone,
            ["response.function_call_arguments.delta"] = RealtimeServerEventType.ResponseFunctionCallArgumentsDelta,
            ["response.function_call_arguments.done"] = RealtimeServerEventType.ResponseFunctionCallArgumentsDone,
            ["response.done"] = RealtimeServerEventType.ResponseDone,
            ["rate_limits.updated"] = RealtimeServerEventType.RateLimitsUpdated,
        });

    public static readonly FrozenDictionary<string, (RealtimeClientEventType Value, string Name)>.AlternateLookup<ReadOnlySpan<char>> ClientEvents =
        Lookup(new Dictionary<string, RealtimeClientEventType>
        {
            ["session.update"] = RealtimeClientEventType.SessionUpdate,
            ["input_audio_buffer.append"] = RealtimeClientEventType.InputAudioBufferAppend,
            ["input_audio_buffer.commit"] = RealtimeClientEventType.InputAudioBufferCommit,
            ["input_audio_buffer.clear"] = RealtimeClientEventType.InputAudioBufferClear,
            ["conversation.item.create"] = RealtimeClientEventType.ConversationItemCreate,
            ["conversation.item.truncate"] = RealtimeClientEventType.ConversationItemTruncate,
            ["response.create"] = RealtimeClientEventType.ResponseCreate,
            ["response.cancel"] = RealtimeClientEventType.ResponseCancel,
        });

    private static FrozenDictionary<string, (T Value, string Name)>.AlternateLookup<ReadOnlySpan<char>> Lookup<T>(Dictionary<string, T> names) =>
        names.ToFrozenDictionary(pair => pair.Key, pair => (pair.Value, pair.Key), StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    public static ReadOnlySpan<byte> ItemType(RealtimeItemType type) => type switch
    {
        RealtimeItemType.Message => "message"u8,
        RealtimeItemType.FunctionCall => "function_call"u8,
        RealtimeItemType.FunctionCallOutput => "function_call_output"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "only message and function items can be written"),
    };

    public static RealtimeItemType ItemType(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("message"u8) ? RealtimeItemType.Message
        : reader.ValueTextEquals("function_call"u8) ? RealtimeItemType.FunctionCall
        : reader.ValueTextEquals("function_call_output"u8) ? RealtimeItemType.FunctionCallOutput
        : RealtimeItemType.Unknown;

    public static ReadOnlySpan<byte> Role(RealtimeRole role) => role switch
    {
        RealtimeRole.System => "system"u8,
        RealtimeRole.User => "user"u8,
        RealtimeRole.Assistant => "assistant"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static RealtimeRole? Role(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("system"u8) ? RealtimeRole.System
        : reader.ValueTextEquals("user"u8) ? RealtimeRole.User
        : reader.ValueTextEquals("assistant"u8) ? RealtimeRole.Assistant
        : null;

    public static ReadOnlySpan<byte> ContentType(RealtimeContentType type) => type switch
    {
        RealtimeContentType.InputText => "input_text"u8,
        RealtimeContentType.InputAudio => "input_audio"u8,
        RealtimeContentType.OutputText => "output_text"u8,
        RealtimeContentType.OutputAudio => "output_audio"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>GA content part types, plus the beta <c>text</c>/<c>audio</c>; null for anything else (images...).</summary>
    public static RealtimeContentType? ContentType(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("input_text"u8) ? RealtimeContentType.InputText
        : reader.ValueTextEquals("input_audio"u8) ? RealtimeContentType.InputAudio
        : reader.ValueTextEquals("output_text"u8) || reader.ValueTextEquals("text"u8) ? RealtimeContentType.OutputText
        : reader.ValueTextEquals("output_audio"u8) || reader.ValueTextEquals("audio"u8) ? RealtimeContentType.OutputAudio
        : null;

    public static bool IsAudio(RealtimeContentType type) =>
        type is RealtimeContentType.InputAudio or RealtimeContentType.OutputAudio;

    public static ReadOnlySpan<byte> Status(RealtimeResponseStatus status) => status switch
    {
        RealtimeResponseStatus.InProgress => "in_progress"u8,
        RealtimeResponseStatus.Completed => "completed"u8,
        RealtimeResponseStatus.Cancelled => "cancelled"u8,
        RealtimeResponseStatus.Failed => "failed"u8,
        RealtimeResponseStatus.Incomplete => "incomplete"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "an unknown status cannot be written"),
    };

    public static RealtimeResponseStatus Status(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("in_progress"u8) ? RealtimeResponseStatus.InProgress
        : reader.ValueTextEquals("completed"u8) ? RealtimeResponseStatus.Completed
        : reader.ValueTextEquals("cancelled"u8) ? RealtimeResponseStatus.Cancelled
        : reader.ValueTextEquals("failed"u8) ? RealtimeResponseStatus.Failed
        : reader.ValueTextEquals("incomplete"u8) ? RealtimeResponseStatus.Incomplete
        : RealtimeResponseStatus.Unknown;

    public static ReadOnlySpan<byte> Vad(RealtimeVadType type) => type switch
    {
        RealtimeVadType.ServerVad => "server_vad"u8,
        RealtimeVadType.SemanticVad => "semantic_vad"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static RealtimeVadType? Vad(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("server_vad"u8) ? RealtimeVadType.ServerVad
        : reader.ValueTextEquals("semantic_vad"u8) ? RealtimeVadType.SemanticVad
        : null;
}
