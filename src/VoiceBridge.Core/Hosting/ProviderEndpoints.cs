using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;

namespace VoiceBridge.Hosting;

/// <summary>Where each provider of a deployment is, and whether it is the simulator.</summary>
public sealed class ProviderEndpoints
{
    public required RealtimeEngineOptions Realtime { get; init; }

    /// <summary>True when the engine's providers are all simulated or local (no network).</summary>
    public bool IsSimulated(EngineSpec engine) => engine.Kind switch
    {
        EngineKind.Realtime => Realtime.Simulated,
        _ => false,
    };
}
