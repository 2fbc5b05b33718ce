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
    /// Answers the conversation as it stands (after a handoff seeded a caller turn nobody answered),
    /// or, with <paramref name="continueAfter"/>, continues a reply cut off by a handoff of which
    /// the caller heard those words (see <see cref="Continuation"/>). Engines that always answer on
    /// their own need not implement it.
    /// </summary>
    void RequestResponse(string? continueAfter = null)
    {
    }
}

/// <summary>What an engine starts from.</summary>
public sealed record EngineStart(int Generation, Conversation Conversation, IReadOnlyList<ToolDefinition> Tools, IEngineEvents Events);

/// <summary>Where an engine posts its events (the call session's input queue).</summary>
public interface IEngineEvents
{
    ValueTask PostAsync(EngineEvent engineEvent);
}
