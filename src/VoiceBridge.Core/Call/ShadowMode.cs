using VoiceBridge.Engines;

namespace VoiceBridge.Call;

/// <summary>
/// Shadow mode (docs/failover.md, "Shadow mode"): a second engine runs silently beside the active
/// one on the same caller audio, so that a fallback's quality is known before it is needed. This
/// holds what the call session, the composition and replay share about it.
/// </summary>
public static class ShadowMode
{
    /// <summary>
    /// The output a shadow's tool call gets: the shadow never runs a tool (a tool may act on the
    /// call or on a backend, and the shadow's conversation is not the caller's), so the engine is
    /// told so and goes on.
    /// </summary>
    public const string NotExecutedOutput = "{\"error\":\"shadow: not executed\"}";

    /// <summary>
    /// Parses the shadow engine: one engine in the chain grammar (<c>local</c>,
    /// <c>cascade-remote</c>, <c>azure-realtime</c>, <c>cascade(stt=..,llm=..,tts=..)</c>);
    /// throws <see cref="FormatException"/> naming what is wrong.
    /// </summary>
    public static EngineSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ChainSpec chain;
        try
        {
            chain = ChainSpec.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"--shadow '{text}': {e.Message}", e);
        }

        return chain.Engines.Count == 1
            ? chain.Engines[0] with { Tier = 0 }
            : throw new FormatException($"--shadow '{text}': name one engine (e.g. local, cascade-remote, azure-realtime or cascade(stt=..,llm=..,tts=..)), not a chain of {chain.Engines.Count}");
    }

    /// <summary>
    /// The engines whose providers a deployment must serve: the chain's, and the shadow when it is
    /// not one of them (appended after the last tier, so <c>primary</c> and the tiers are unchanged).
    /// Only for providing endpoints: the chain a call walks never contains the shadow.
    /// </summary>
    public static ChainSpec Provisioned(ChainSpec chain, EngineSpec? shadow) =>
        shadow is null || chain.Engines.Any(e => e.Name == shadow.Name)
            ? chain
            : new ChainSpec([.. chain.Engines, shadow with { Tier = chain.TierCount }]);

    /// <summary>
    /// The call id a shadow's provider connections carry (simulated providers only): its own, so a
    /// simulator gives the shadow the caller's transcripts from a queue of its own and the active
    /// engine's are not used up (replay adds the hints under both ids).
    /// </summary>
    public static string CallTag(string callId) => callId + ":shadow";
}
