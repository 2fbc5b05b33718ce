using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;

namespace VoiceBridge.Hosting;

/// <summary>Where each provider of a deployment is, by engine name, and whether it is the simulator.</summary>
public sealed class ProviderEndpoints
{
    /// <summary>The Realtime endpoints of the chain's Realtime engines (openai-realtime, azure-realtime).</summary>
    public required IReadOnlyDictionary<string, RealtimeEngineOptions> Realtime { get; init; }

    public RealtimeEngineOptions RealtimeFor(string engine) =>
        Realtime.TryGetValue(engine, out var options)
            ? options
            : throw new InvalidOperationException($"no Realtime endpoint is configured for engine '{engine}'");

    /// <summary>True when the engine's providers are simulated (the report says so).</summary>
    public bool IsSimulated(EngineSpec engine) => engine.Kind switch
    {
        EngineKind.Realtime => Realtime.TryGetValue(engine.Name, out var options) && options.Simulated,
        _ => false,
    };
}
