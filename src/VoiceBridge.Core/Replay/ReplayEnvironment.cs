using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Faults;
using VoiceBridge.Hosting;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Simulator;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>
/// A bridge and the simulated providers of its chain for one replayed call (one simulator per
/// Realtime engine, sharing one control surface, each with the faults aimed at it), joined either
/// by real loopback sockets on system time (<see cref="StartLoopbackAsync"/>) or by in-memory
/// streams on a fake clock (<see cref="CreateVirtual"/>). The call path is the same code either way.
/// </summary>
public sealed class ReplayEnvironment : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private HttpClient? _http;

    private ReplayEnvironment(BridgeComposition bridge, IReadOnlyDictionary<string, RealtimeSimulator> simulators, SimulatorControl control, IWebSocketConnector callerConnector, Uri mediaUri)
    {
        // The replay's carrier answers the bridge's REST requests too (a transfer moves the fake call).
        TwilioRest = new FakeTwilioRest();
        bridge.TwilioCalls = new TwilioCallUpdater(TwilioRest.Options, TwilioRest);
        Bridge = bridge;
        Simulators = simulators;
        Control = control;
        CallerConnector = callerConnector;
        MediaUri = mediaUri;
    }

    public BridgeComposition Bridge { get; }

    /// <summary>The simulated Realtime providers, by engine name.</summary>
    public IReadOnlyDictionary<string, RealtimeSimulator> Simulators { get; }

    /// <summary>The first simulated provider of the chain.</summary>
    public RealtimeSimulator Simulator => Simulators.Values.First();

    /// <summary>The harness's handle on every simulator of the call (transcript hints, sessions).</summary>
    public SimulatorControl Control { get; }

    /// <summary>How the fake carrier reaches the bridge.</summary>
    public IWebSocketConnector CallerConnector { get; }

    public Uri MediaUri { get; }

    /// <summary>Twilio's REST API as the replay's carrier serves it (in process): calls moved by a transfer.</summary>
    public FakeTwilioRest TwilioRest { get; }

    /// <summary>Kestrel on 127.0.0.1 ephemeral ports, real sockets, system time.</summary>
    public static async Task<ReplayEnvironment> StartLoopbackAsync(
        ChainSpec chain, SimulatorOptions simulatorOptions, CallSessionOptions sessionOptions, ILoggerFactory loggers, IReadOnlyList<FaultSpec>? faults = null)
    {
        var apps = new List<WebApplication>();
        var control = new SimulatorControl();
        var simulators = new Dictionary<string, RealtimeSimulator>();
        var endpoints = new Dictionary<string, RealtimeEngineOptions>();
        foreach (var engine in chain.Engines.Where(e => e.Kind == EngineKind.Realtime))
        {
            var simulator = NewSimulator(chain, engine, simulatorOptions, control, faults, TimeProvider.System, loggers);
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapSimulator(simulator));
            apps.Add(app);
            simulators[engine.Name] = simulator;
            endpoints[engine.Name] = SimulatedEndpoint(engine, new Uri(app.WebSocketBase(), WebHosts.RealtimePath));
        }

        var http = new HttpClient();
        var cascade = await CascadeProviders.StartLoopbackAsync(chain, control, http, loggers);
        apps.AddRange(cascade.Apps);
        var connector = new SystemWebSocketConnector(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        var engines = new EngineFactory(chain, cascade.Endpoints(endpoints), connector, TimeProvider.System, loggers);
        engines.AttachHealth(new ProviderHealthOptions(), sessionOptions.AuditLog);
        var bridge = new BridgeComposition(engines, DryRun(sessionOptions), TimeProvider.System, loggers);
        var bridgeApp = await WebHosts.StartLoopbackAsync(
            loggers, services => services.AddSingleton(bridge.TwilioCounters).Configure<TwilioOptions>(_ => { }), a => a.MapBridge(bridge));
        apps.Insert(0, bridgeApp);

        var env = new ReplayEnvironment(bridge, simulators, control, new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero), new Uri(bridgeApp.WebSocketBase(), WebHosts.TwilioMediaPath));
        env._apps.AddRange(apps);
        env._http = http;
        return env;
    }

    /// <summary>Everything in one process on <paramref name="time"/>, over an in-memory network; run inside a <see cref="VirtualTimeLoop"/>.</summary>
    public static ReplayEnvironment CreateVirtual(
        ChainSpec chain, SimulatorOptions simulatorOptions, CallSessionOptions sessionOptions, TimeProvider time, ILoggerFactory loggers, IReadOnlyList<FaultSpec>? faults = null)
    {
        var network = new InMemoryNetwork();
        var control = new SimulatorControl();
        var simulators = new Dictionary<string, RealtimeSimulator>();
        var endpoints = new Dictionary<string, RealtimeEngineOptions>();
        foreach (var engine in chain.Engines.Where(e => e.Kind == EngineKind.Realtime))
        {
            var simulator = NewSimulator(chain, engine, simulatorOptions, control, faults, time, loggers);
            var authority = $"{engine.Name}.invalid";
            network.Listen(authority, simulator.HandleAsync, simulator.Admit);
            simulators[engine.Name] = simulator;
            endpoints[engine.Name] = SimulatedEndpoint(engine, new Uri($"ws://{authority}{WebHosts.RealtimePath}"));
        }

        var cascade = CascadeProviders.InMemory(chain, control, network, time, loggers);
        var engines = new EngineFactory(chain, cascade.Endpoints(endpoints), network, time, loggers);
        engines.AttachHealth(new ProviderHealthOptions(), sessionOptions.AuditLog);
        var bridge = new BridgeComposition(engines, DryRun(sessionOptions), time, loggers);
        network.Listen("bridge.invalid", bridge.HandleTwilioMediaAsync);
        return new ReplayEnvironment(bridge, simulators, control, network, new Uri("ws://bridge.invalid" + WebHosts.TwilioMediaPath));
    }

    /// <summary>
    /// Checks that every fault can be injected into this chain: its target must be a simulated
    /// Realtime engine of the chain (by name, or <c>primary</c> when the chain starts with one).
    /// Throws <see cref="ArgumentException"/> naming the fault otherwise.
    /// </summary>
    public static void ValidateFaults(ChainSpec chain, IReadOnlyList<FaultSpec> faults)
    {
        foreach (var fault in faults)
        {
            var engine = fault.Target == "primary" ? chain.Primary : chain.Engines.FirstOrDefault(e => e.Name == fault.Target);
            if (engine is null)
            {
                throw new ArgumentException($"fault '{fault}': '{fault.Target}' is not an engine of the chain {chain}");
            }

            if (engine.Kind != EngineKind.Realtime)
            {
                throw new ArgumentException($"fault '{fault}': faults can be injected into the simulated Realtime engines only; '{engine.Name}' is a cascade");
            }
        }
    }

    /// <summary>Faults aimed at an engine: by its name, or as <c>primary</c> when it starts the chain.</summary>
    public static IReadOnlyList<FaultSpec> FaultsFor(ChainSpec chain, EngineSpec engine, IReadOnlyList<FaultSpec>? faults) =>
        [.. (faults ?? []).Where(f => f.Target == engine.Name || (f.Target == "primary" && engine == chain.Primary))];

    public async ValueTask DisposeAsync()
    {
        // The bridge's provider health (one per environment: its calls share it): stop its probes first.
        if (Bridge.Engines.Health is { } health)
        {
            await health.DisposeAsync();
        }

        _http?.Dispose();
        (Bridge.TwilioCalls as IDisposable)?.Dispose();
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>A replay never runs tools for real (FAILOVER.md: replay, drills and shadow runs use dry-run).</summary>
    private static CallSessionOptions DryRun(CallSessionOptions options)
    {
        options.DryRunTools = true;
        return options;
    }

    private static RealtimeSimulator NewSimulator(ChainSpec chain, EngineSpec engine, SimulatorOptions options, SimulatorControl control,
        IReadOnlyList<FaultSpec>? faults, TimeProvider time, ILoggerFactory loggers) =>
        new(options, time, loggers.CreateLogger<RealtimeSimulator>(), control, engine.Name) { Faults = new FaultPlan(FaultsFor(chain, engine, faults), time) };

    private static RealtimeEngineOptions SimulatedEndpoint(EngineSpec engine, Uri endpoint) => new()
    {
        Name = engine.Name,
        Endpoint = endpoint,
        Simulated = true,
        ApiKeyHeader = engine.Name == "azure-realtime" ? "api-key" : "Authorization",
    };
}
