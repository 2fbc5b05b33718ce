namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Server events this codec models; beta names map onto their GA counterparts.</summary>
public enum RealtimeServerEventType
{
    /// <summary>Any other type; its name is kept in <see cref="RealtimeServerEvent.TypeName"/>.</summary>
    Unknown,
    SessionCreated,
    SessionUpdated,
    Error,
    InputAudioBufferSpeechStarted,
    InputAudioBufferSpeechStopped,
    InputAudioBufferCommitted,
    InputAudioBufferCleared,

    /// <summary><c>conversation.item.added</c>, or the beta <c>conversation.item.created</c>.</summary>
    ConversationItemAdded,
    ConversationItemDone,
    ConversationItemTruncated,

    /// <summary><c>conversation.item.input_audio_transcription.delta</c>: part of a transcript still being made.</summary>
    InputAudioTranscriptionDelta,
    InputAudioTranscriptionCompleted,
    InputAudioTranscriptionFailed,
    ResponseCreated,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseContentPartAdded,
    ResponseContentPartDone,

    /// <summary><c>response.output_audio.delta</c>, or the beta <c>response.audio.delta</c>.</summary>
    ResponseOutputAudioDelta,
    ResponseOutputAudioDone,
    ResponseOutputAudioTranscriptDelta,
    ResponseOutputAudioTranscriptDone,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,
    ResponseDone,
    RateLimitsUpdated,
}

/// <summary>Client events this codec builds and the simulator accepts.</summary>
public enum RealtimeClientEventType
{
    SessionUpdate,
    InputAudioBufferAppend,
    InputAudioBufferCommit,
    InputAudioBufferClear,
    ConversationItemCreate,
    ConversationItemTruncate,
    ResponseCreate,
    ResponseCancel,
}
