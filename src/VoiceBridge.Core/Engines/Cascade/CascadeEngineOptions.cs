using VoiceBridge.Media;

namespace VoiceBridge.Engines.Cascade;

/// <summary>How a cascade engine turns caller speech into replies.</summary>
public sealed class CascadeEngineOptions
{
    /// <summary>The engine's name in the chain (e.g. "local", "cascade-remote").</summary>
    public string Name { get; set; } = "local";

    /// <summary>
    /// The cascade's own end-of-turn detection: it owns endpointing, so its silence window can be
    /// shorter than a Realtime provider's [SilenceMs 300].
    /// </summary>
    public VadOptions Vad { get; set; } = new() { SilenceMs = 300 };

    /// <summary>A final transcript below this confidence is treated as not understood: the agent asks again [0.5].</summary>
    public double MinConfidence { get; set; } = 0.5;

    /// <summary>How long after our VAD's end of turn a final transcript may take before the turn counts as not understood [2 s].</summary>
    public TimeSpan TranscriptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>What the LLM is told when the caller was not understood (a user message of its own).</summary>
    public string UnrecognisedMarker { get; set; } = Llm.ConversationMessages.UnrecognisedMarker;
}
