using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Hosting;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Simulator;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>
/// A bridge and a simulated provider for one replayed call, joined either by real loopback
/// sockets on system time (<see cref="StartLoopbackAsync"/>) or by in-memory pipes on a fake clock
/// (<see cref="CreateVirtual"/>). The call path is the same code either way.
/// </summary>
public sealed class ReplayEnvironment : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];

    private ReplayEnvironment(BridgeComposition bridge, RealtimeSimulator simulator, IWebSocketConnector callerConnector, Uri mediaUri)
    {
        Bridge = bridge;
        Simulator = simulator;
        CallerConnector = callerConnector;
        MediaUri = mediaUri;
    }

    public BridgeComposition Bridge { get; }

    public RealtimeSimulator Simulator { get; }

    /// <summary>How the fake carrier reaches the bridge.</summary>
    public IWebSocketConnector CallerConnector { get; }

    public Uri MediaUri { get; }

    /// <summary>Kestrel on 127.0.0.1 ephemeral ports for both, real sockets, system time.</summary>
    public static async Task<ReplayEnvironment> StartLoopbackAsync(ChainSpec chain, SimulatorOptions simulatorOptions, CallSessionOptions sessionOptions, ILoggerFactory loggers)
    {
        var simulator = new RealtimeSimulator(simulatorOptions, TimeProvider.System, loggers.CreateLogger<RealtimeSimulator>());
        var simApp = Loopback(loggers, _ => { });
        simApp.MapSimulator(simulator);
        await simApp.StartAsync();

        var realtime = new RealtimeEngineOptions { Endpoint = new Uri(simApp.WebSocketBase(), WebHosts.RealtimePath), Simulated = true };
        var connector = new SystemWebSocketConnector(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        var engines = new EngineFactory(chain, new ProviderEndpoints { Realtime = realtime }, connector, TimeProvider.System, loggers);
        var bridge = new BridgeComposition(engines, sessionOptions, TimeProvider.System, loggers);
        var bridgeApp = Loopback(loggers, services => services.AddSingleton(bridge.TwilioCounters).Configure<TwilioOptions>(_ => { }));
        bridgeApp.MapBridge(bridge);
        await bridgeApp.StartAsync();

        var env = new ReplayEnvironment(bridge, simulator, new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero), new Uri(bridgeApp.WebSocketBase(), WebHosts.TwilioMediaPath));
        env._apps.Add(bridgeApp);
        env._apps.Add(simApp);
        return env;
    }

    /// <summary>Both in one process on <paramref name="time"/>, over an in-memory network; run inside a <see cref="VirtualTimeLoop"/>.</summary>
    public static ReplayEnvironment CreateVirtual(ChainSpec chain, SimulatorOptions simulatorOptions, CallSessionOptions sessionOptions, TimeProvider time, ILoggerFactory loggers)
    {
        var network = new InMemoryNetwork();
        var simulator = new RealtimeSimulator(simulatorOptions, time, loggers.CreateLogger<RealtimeSimulator>());
        network.Listen("sim.invalid", simulator.HandleAsync);
        var realtime = new RealtimeEngineOptions { Endpoint = new Uri("ws://sim.invalid" + WebHosts.RealtimePath), Simulated = true };
        var engines = new EngineFactory(chain, new ProviderEndpoints { Realtime = realtime }, network, time, loggers);
        var bridge = new BridgeComposition(engines, sessionOptions, time, loggers);
        network.Listen("bridge.invalid", bridge.HandleTwilioMediaAsync);
        return new ReplayEnvironment(bridge, simulator, network, new Uri("ws://bridge.invalid" + WebHosts.TwilioMediaPath));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static WebApplication Loopback(ILoggerFactory loggers, Action<IServiceCollection> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        configure(builder.Services);
        return builder.Build();
    }
}
