using VoiceBridge.Call;

namespace VoiceBridge.Engines;

/// <summary>
/// One conversation brain for one call (a Realtime provider session, or later a cascade). The
/// call session feeds it caller audio with positions and receives its events; it never learns
/// which caller leg it serves. Events are posted with the generation it was started with, so the
/// call session can fence an engine it has replaced.
/// </summary>
public interface IAgentEngine : IAsyncDisposable
{
    /// <summary>The engine's name in the chain (e.g. "openai-realtime").</summary>
    string Name { get; }

    /// <summary>Connects and configures the provider session, seeded from the conversation.</summary>
    Task StartAsync(EngineStart start, CancellationToken cancellationToken);

    /// <summary>
    /// Warm standby: does ahead of time what <see cref="StartAsync"/> would spend on set-up
    /// (open the provider's socket, start the speech-to-text stage), so that a later start only
    /// configures and seeds. Engines with nothing to prepare need not implement it.
    /// </summary>
    Task WarmUpAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Queues one caller frame (mu-law 8 kHz) at its call position; never blocks.</summary>
    void SendCallerAudio(long position, ReadOnlySpan<byte> mulaw);

    /// <summary>Returns a tool's output for a completed call item and asks for a response.</summary>
    void SubmitToolResult(string callId, string output);

    /// <summary>Barge-in: the caller heard only <paramref name="heardMs"/> of the item's audio.</summary>
    void TruncateAssistant(string itemId, long heardMs);

    /// <summary>
    /// A caller turn that is text, not audio (keys pressed: <see cref="ConversationTurn.Dtmf"/>):
    /// adds it to the engine's conversation as a user message (Realtime
    /// <c>conversation.item.create</c> with <c>input_text</c>; a cascade's history), unless the
    /// engine already has it (it was in the conversation it was seeded from: the turn itself, not
    /// its text, tells them apart). When <paramref name="respond"/>, then asks for exactly one
    /// response (Realtime <c>response.create</c>); the call session asks only when the agent is not
    /// already answering (CallSession.Dtmf.cs). Engines that cannot take text need not implement it.
    /// </summary>
    void SendCallerText(ConversationTurn turn, bool respond)
    {
    }

    /// <summary>
    /// Seeding (an engine started with <see cref="EngineStart.Seeding"/>, FAILOVER.md step 5): the
    /// caller audio sent so far ends a caller turn the engine has not closed itself (replayed audio
    /// cut at the turn's end), so make it a turn now: Realtime <c>input_audio_buffer.commit</c>,
    /// a cascade ends its utterance. It never answers it.
    /// </summary>
    void CommitCallerTurn()
    {
    }

    /// <summary>
    /// Ends seeding: when <paramref name="respond"/>, asks for exactly one response to the
    /// conversation as it stands (Realtime <c>response.create</c>; a cascade answers once the turn it
    /// is transcribing has its transcript), continuing a reply cut off by the handoff when
    /// <paramref name="continueAfter"/> gives the words the caller heard of it (see
    /// <see cref="Continuation"/>); then turns the engine's automatic responses back on for the
    /// rest of the call. Engines that have no automatic responses to hold need not implement it.
    /// </summary>
    void EndSeeding(bool respond, string? continueAfter = null)
    {
    }
}

/// <summary>What an engine starts from.</summary>
public sealed record EngineStart(int Generation, Conversation Conversation, IReadOnlyList<ToolDefinition> Tools, IEngineEvents Events)
{
    /// <summary>
    /// A handoff's engine: it starts with its automatic responses off (Realtime
    /// <c>turn_detection.create_response:false</c>; a cascade transcribes turns into its history without
    /// answering them) until <see cref="IAgentEngine.EndSeeding"/>, so that the caller turns it is
    /// brought up to date on are answered exactly once, by the response the call session asks for.
    /// </summary>
    public bool Seeding { get; init; }
}

/// <summary>Where an engine posts its events (the call session's input queue).</summary>
public interface IEngineEvents
{
    ValueTask PostAsync(EngineEvent engineEvent);
}
