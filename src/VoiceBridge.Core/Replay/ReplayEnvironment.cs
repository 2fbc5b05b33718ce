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
using VoiceBridge.Legs.Sip;
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
    private Dictionary<string, List<FaultPlan>> _stagePlans = [];

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

    /// <summary>
    /// The calls' shadow engine (<see cref="CallSessionOptions.Shadow"/>), whose providers are
    /// simulated beside the chain's (and may take faults aimed at it); null without one.
    /// </summary>
    public EngineSpec? Shadow { get; private init; }

    /// <summary>The bridge's SIP endpoint when the replay drives the SIP leg; null for Twilio.</summary>
    public SipEndpoint? Sip { get; private set; }

    /// <summary>Where the replay's SIP phone binds its sockets (the same network as <see cref="Sip"/>).</summary>
    public IDatagramNetwork? Datagrams { get; private set; }

    /// <summary>Twilio's REST API as the replay's carrier serves it (in process): calls moved by a transfer.</summary>
    public FakeTwilioRest TwilioRest { get; }

    /// <summary>Kestrel on 127.0.0.1 ephemeral ports, real sockets, system time.</summary>
    public static async Task<ReplayEnvironment> StartLoopbackAsync(
        ChainSpec chain, SimulatorOptions simulatorOptions, CallSessionOptions sessionOptions, ILoggerFactory loggers, IReadOnlyList<FaultSpec>? faults = null,
        ReplayLeg leg = ReplayLeg.Twilio, ProviderHealthOptions? health = null, RealtimeEngineOptions? realtime = null)
    {
        var apps = new List<WebApplication>();
        var control = new SimulatorControl();
        var simulators = new Dictionary<string, RealtimeSimulator>();
        var endpoints = new Dictionary<string, RealtimeEngineOptions>();
        var served = ShadowMode.Provisioned(chain, sessionOptions.Shadow);
        foreach (var engine in served.Engines.Where(e => e.Kind == EngineKind.Realtime))
        {
            var simulator = NewSimulator(served, engine, simulatorOptions, control, faults, TimeProvider.System, loggers);
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapSimulator(simulator));
            apps.Add(app);
            simulators[engine.Name] = simulator;
            endpoints[engine.Name] = SimulatedEndpoint(engine, new Uri(app.WebSocketBase(), WebHosts.RealtimePath), realtime);
        }

        var http = new HttpClient();
        var cascade = await CascadeProviders.StartLoopbackAsync(served, control, http, loggers, faults);
        apps.AddRange(cascade.Apps);
        var connector = new SystemWebSocketConnector(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        var engines = new EngineFactory(chain, cascade.Endpoints(endpoints), connector, TimeProvider.System, loggers);
        engines.AttachHealth(health ?? new ProviderHealthOptions(), sessionOptions.AuditLog);
        sessionOptions.ShadowFactory ??= engines.CreateShadow;
        var bridge = new BridgeComposition(engines, DryRun(sessionOptions), TimeProvider.System, loggers);
        var bridgeApp = await WebHosts.StartLoopbackAsync(
            loggers, services => services.AddSingleton(bridge.TwilioCounters).Configure<TwilioOptions>(_ => { }), a => a.MapBridge(bridge));
        apps.Insert(0, bridgeApp);

        var env = new ReplayEnvironment(bridge, simulators, control, new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero), new Uri(bridgeApp.WebSocketBase(), WebHosts.TwilioMediaPath))
        {
            Shadow = sessionOptions.Shadow,
        };
        env._apps.AddRange(apps);
        env._http = http;
        env._stagePlans = cascade.Plans;
        if (leg == ReplayLeg.Sip)
        {
            env.StartSip(UdpDatagramNetwork.Instance, new SipOptions { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) });
        }

        return env;
    }

    /// <summary>Everything in one process on <paramref name="time"/>, over an in-memory network; run inside a <see cref="VirtualTimeLoop"/>.</summary>
    public static ReplayEnvironment CreateVirtual(
        ChainSpec chain, SimulatorOptions simulatorOptions, CallSessionOptions sessionOptions, TimeProvider time, ILoggerFactory loggers, IReadOnlyList<FaultSpec>? faults = null,
        ProviderHealthOptions? health = null, ReplayLeg leg = ReplayLeg.Twilio, RealtimeEngineOptions? realtime = null)
    {
        var network = new InMemoryNetwork();
        var control = new SimulatorControl();
        var simulators = new Dictionary<string, RealtimeSimulator>();
        var endpoints = new Dictionary<string, RealtimeEngineOptions>();
        var served = ShadowMode.Provisioned(chain, sessionOptions.Shadow);
        foreach (var engine in served.Engines.Where(e => e.Kind == EngineKind.Realtime))
        {
            var simulator = NewSimulator(served, engine, simulatorOptions, control, faults, time, loggers);
            var authority = $"{engine.Name}.invalid";
            network.Listen(authority, simulator.HandleAsync, simulator.Admit);
            simulators[engine.Name] = simulator;
            endpoints[engine.Name] = SimulatedEndpoint(engine, new Uri($"ws://{authority}{WebHosts.RealtimePath}"), realtime);
        }

        var cascade = CascadeProviders.InMemory(served, control, network, time, loggers, faults);
        var engines = new EngineFactory(chain, cascade.Endpoints(endpoints), network, time, loggers);
        engines.AttachHealth(health ?? new ProviderHealthOptions(), sessionOptions.AuditLog);
        sessionOptions.ShadowFactory ??= engines.CreateShadow;
        var bridge = new BridgeComposition(engines, DryRun(sessionOptions), time, loggers);
        network.Listen("bridge.invalid", (socket, request) => bridge.HandleTwilioMediaAsync(socket, request, issuer: null));
        var env = new ReplayEnvironment(bridge, simulators, control, network, new Uri("ws://bridge.invalid" + WebHosts.TwilioMediaPath))
        {
            Shadow = sessionOptions.Shadow,
        };
        env._http = cascade.OwnedHttp;
        env._stagePlans = cascade.Plans;
        if (leg == ReplayLeg.Sip)
        {
            env.StartSip(new InMemoryDatagramNetwork(), new SipOptions());
        }

        return env;
    }

    /// <summary>
    /// Checks that every fault can be injected into this chain (with a shadow engine: into
    /// <see cref="ShadowMode.Provisioned"/>, so faults may aim at the shadow): its target must be an engine of the
    /// chain (by name, or <c>primary</c> for the one it starts with); a whole engine must be a
    /// simulated Realtime one, a stage (<c>NAME.stt|.llm|.tts</c>) a stage of a cascade. A remote
    /// provider is one simulator per call, so a fault cannot be aimed at a stage whose provider
    /// another engine of the chain uses too. Throws <see cref="ArgumentException"/> naming the fault.
    /// </summary>
    public static void ValidateFaults(ChainSpec chain, IReadOnlyList<FaultSpec> faults)
    {
        foreach (var fault in faults)
        {
            var engine = EngineOf(chain, fault) ?? throw new ArgumentException(
                $"fault '{fault}': '{fault.Engine}' is not an engine of the chain {chain} (engines: {string.Join(", ", chain.Engines.Select(e => e.Name))}, or primary)");
            if (fault.Stage == FaultStage.None)
            {
                if (engine.Kind != EngineKind.Realtime)
                {
                    throw new ArgumentException(
                        $"fault '{fault}': '{engine.Name}' is a cascade; aim the fault at one of its stages: {fault.Engine}.stt ({engine.Stt}), {fault.Engine}.llm ({engine.Llm}) or {fault.Engine}.tts ({engine.Tts})");
                }

                continue;
            }

            if (engine.Kind != EngineKind.Cascade)
            {
                throw new ArgumentException($"fault '{fault}': '{engine.Name}' is a Realtime engine and has no stages; aim the fault at '{fault.Engine}' itself");
            }

            var provider = CascadeProviders.Provider(engine, fault.Stage);
            var sharing = chain.Engines.FirstOrDefault(e => e != engine && e.Kind == EngineKind.Cascade && CascadeProviders.Provider(e, fault.Stage) == provider);
            if (sharing is not null && !LocalStageFaults.IsLocal(provider))
            {
                throw new ArgumentException(
                    $"fault '{fault}': the {fault.Stage.ToString().ToLowerInvariant()} provider '{provider}' serves both '{engine.Name}' and '{sharing.Name}' in this chain, and its simulator cannot tell their requests apart; aim the fault at a stage only one engine uses");
            }
        }
    }

    /// <summary>The engine a fault is aimed at (its own or its stage's), or null when the chain has none by that name.</summary>
    public static EngineSpec? EngineOf(ChainSpec chain, FaultSpec fault) =>
        fault.Engine == "primary" ? chain.Primary : chain.Engines.FirstOrDefault(e => e.Name == fault.Engine);

    /// <summary>The fault plans behind an engine (its simulator's, or its stages'): what struck and when.</summary>
    public IReadOnlyList<FaultPlan> FaultPlansFor(string engine) =>
        [.. Simulators.TryGetValue(engine, out var simulator) ? [simulator.Faults] : Array.Empty<FaultPlan>(),
         .. _stagePlans.TryGetValue(engine, out var plans) ? plans : []];

    /// <summary>Faults aimed at an engine: by its name, or as <c>primary</c> when it starts the chain.</summary>
    public static IReadOnlyList<FaultSpec> FaultsFor(ChainSpec chain, EngineSpec engine, IReadOnlyList<FaultSpec>? faults) =>
        [.. (faults ?? []).Where(f => f.Target == engine.Name || (f.Target == "primary" && engine == chain.Primary))];

    private void StartSip(IDatagramNetwork network, SipOptions options)
    {
        Datagrams = network;
        Sip = Bridge.CreateSipEndpoint(options, network);
        Sip.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (Sip is not null)
        {
            await Sip.DisposeAsync();
        }

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

    /// <summary>A simulated engine's options: <paramref name="tuning"/>'s settings [the defaults], its own endpoint, the key header its provider takes.</summary>
    private static RealtimeEngineOptions SimulatedEndpoint(EngineSpec engine, Uri endpoint, RealtimeEngineOptions? tuning) =>
        (tuning ?? new RealtimeEngineOptions()).For(engine.Name, endpoint, apiKey: null, engine.Name == "azure-realtime" ? "api-key" : "Authorization", simulated: true);
}
