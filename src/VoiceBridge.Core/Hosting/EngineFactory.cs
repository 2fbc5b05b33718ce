using Microsoft.Extensions.Logging;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Transport;

namespace VoiceBridge.Hosting;

/// <summary>
/// Builds the engines of a chain from their specs: where each provider is (real or simulated),
/// how to reach it (real or in-memory sockets) and the call clock.
/// </summary>
public sealed class EngineFactory(
    ChainSpec chain,
    ProviderEndpoints endpoints,
    IWebSocketConnector connector,
    TimeProvider time,
    ILoggerFactory loggers) : IEngineChain
{
    public ChainSpec Chain => chain;

    public ProviderEndpoints Endpoints => endpoints;

    /// <summary>The chain as reports show it: simulated engines say so.</summary>
    public IReadOnlyList<string> Describe() =>
        [.. chain.Engines.Select(e => endpoints.IsSimulated(e) ? $"{e.Name} (simulated)" : e.Name)];

    public int Count => chain.Engines.Count;

    public string NameAt(int index) => chain.Engines[index].Name;

    public IAgentEngine Create(int index) => Create(chain.Engines[index]);

    public IAgentEngine Create(EngineSpec spec) => spec.Kind switch
    {
        EngineKind.Realtime => new RealtimeEngine(endpoints.RealtimeFor(spec.Name), connector, time, loggers.CreateLogger<RealtimeEngine>()),
        _ => throw new NotSupportedException($"engine '{spec.Name}' ({spec.Kind}) is not available in this build"),
    };
}
