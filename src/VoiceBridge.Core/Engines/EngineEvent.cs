namespace VoiceBridge.Engines;

/// <summary>Kinds of engine events, provider-neutral.</summary>
public enum EngineEventKind
{
    /// <summary>The provider session is configured and takes audio.</summary>
    Ready,

    /// <summary>The provider heard the caller start speaking (at <see cref="EngineEvent.Position"/>).</summary>
    SpeechStarted,

    /// <summary>The provider heard the caller stop speaking (at <see cref="EngineEvent.Position"/>).</summary>
    SpeechStopped,

    /// <summary>A caller turn was committed as item <see cref="EngineEvent.ItemId"/>.</summary>
    UserTurnCommitted,

    /// <summary>The caller turn's final transcript.</summary>
    UserTranscript,

    /// <summary>The caller turn could not be transcribed.</summary>
    UserTranscriptFailed,

    /// <summary>A response began.</summary>
    ResponseStarted,

    /// <summary>Agent audio (mu-law 8 kHz) for item <see cref="EngineEvent.ItemId"/>.</summary>
    AgentAudio,

    /// <summary>The item's audio is complete.</summary>
    AgentAudioDone,

    /// <summary>More text of an assistant item, as it streams (so a reply cut off still has the words said so far).</summary>
    AgentTranscriptDelta,

    /// <summary>The full text of an assistant item.</summary>
    AgentTranscript,

    /// <summary>A completed function call item: the call session runs the tool.</summary>
    ToolCall,

    /// <summary>A response ended with <see cref="EngineEvent.Status"/>.</summary>
    ResponseDone,

    /// <summary>
    /// The provider reported an error (<see cref="EngineEvent.Text"/>); <see cref="EngineEvent.Status"/>
    /// is <c>client-error</c> when it blames our own request (a bug, not a reason to switch).
    /// </summary>
    Error,

    /// <summary>The provider connection ended (<see cref="EngineEvent.Text"/> says why).</summary>
    Closed,
}

/// <summary>One event from an engine, stamped with the generation the engine was started with.</summary>
public sealed class EngineEvent
{
    public required EngineEventKind Kind { get; init; }

    public required int Generation { get; init; }

    public string? ItemId { get; init; }

    public string? ResponseId { get; init; }

    /// <summary>A caller position (samples on the call clock) for speech events.</summary>
    public long Position { get; init; }

    public string? Text { get; init; }

    public string? Status { get; init; }

    public string? CallId { get; init; }

    public string? Name { get; init; }

    public string? Arguments { get; init; }

    /// <summary>A connection refused with HTTP 429 or 503: the server's Retry-After, in seconds.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Ready: how the conversation's turns were seeded, when the engine seeds within a budget (null: all as its history).</summary>
    public HistorySeeding? Seeded { get; init; }

    /// <summary>Agent audio: mu-law bytes.</summary>
    public byte[]? Audio { get; init; }
}

/// <summary>
/// How an engine took the conversation's turns at its start: <paramref name="AsItems"/> as
/// conversation items, <paramref name="Summarised"/> in a summary in its instructions,
/// <paramref name="Omitted"/> left out (older than what the summary's budget holds).
/// </summary>
public sealed record HistorySeeding(int AsItems, int Summarised, int Omitted);
