using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Faults;
using VoiceBridge.Hosting;
using VoiceBridge.Simulator;
using VoiceBridge.Simulator.Cascade;
using VoiceBridge.Simulator.Chat;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>
/// The cascade providers a replayed chain needs: simulated Deepgram/ElevenLabs/OpenAI-speech/OpenAI-transcription and
/// chat endpoints (on loopback Kestrel, or all in memory for virtual time: the WebSocket ones on
/// the <see cref="InMemoryNetwork"/>, the HTTP ones through <see cref="InMemoryHttp"/>), sharing
/// the call's simulator control, plus the local stages. Faults aimed at a stage
/// (<c>NAME.stt|.llm|.tts</c>) go to the simulator of that stage's provider, or, for a local
/// stage, to the fault decorator the engine factory wraps it in.
/// </summary>
internal sealed class CascadeProviders
{
    private const string SimulatedKey = "simulated-key";

    private readonly Dictionary<(string Engine, FaultStage Stage), FaultPlan> _localPlans = [];
    private DeepgramOptions? _deepgram;
    private OpenAiTranscriptionOptions? _openAiTranscription;
    private ElevenLabsOptions? _elevenLabs;
    private OpenAiSpeechOptions? _openAiSpeech;
    private ChatEndpoint? _openAiChat;
    private ChatEndpoint? _anthropicChat;
    private HttpClient? _http;
    private bool _inlineLocalStt;
    private TimeProvider _time = TimeProvider.System;
    private SimulatorControl? _control;

    public List<WebApplication> Apps { get; } = [];

    /// <summary>The fault plans of each cascade engine's stages, by engine name (for each switch's <c>faultAtMs</c>).</summary>
    public Dictionary<string, List<FaultPlan>> Plans { get; } = [];

    /// <summary>The in-memory HTTP client this instance made (virtual time), to dispose with the environment.</summary>
    public HttpClient? OwnedHttp { get; private set; }

    public ProviderEndpoints Endpoints(IReadOnlyDictionary<string, RealtimeEngineOptions> realtime) => new()
    {
        Realtime = realtime,
        Deepgram = _deepgram,
        OpenAiTranscription = _openAiTranscription,
        ElevenLabs = _elevenLabs,
        OpenAiSpeech = _openAiSpeech,
        OpenAiChat = _openAiChat,
        AnthropicChat = _anthropicChat,
        Http = _http,
        LocalSpeechToText = LocalStages.SpeechToText(_inlineLocalStt),
        Stages = new ReplayStages(_control!, _localPlans.Count == 0 ? null : new LocalStageFaults(_localPlans, _time)),
    };

    public static async Task<CascadeProviders> StartLoopbackAsync(
        ChainSpec chain, SimulatorControl control, HttpClient http, ILoggerFactory loggers, IReadOnlyList<FaultSpec>? faults = null)
    {
        var time = TimeProvider.System;
        var providers = new CascadeProviders { _http = http, _control = control };
        providers.PlanLocalStages(chain, faults);
        if (Uses(chain, FaultStage.Stt, "deepgram") || Uses(chain, FaultStage.Tts, "elevenlabs") || Uses(chain, FaultStage.Tts, "openai"))
        {
            var simulator = providers.NewCascadeSimulator(chain, faults, control, time, loggers);
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapCascadeSimulators(simulator));
            var ws = app.WebSocketBase();
            var httpBase = new Uri("http://" + ws.Authority);
            providers._deepgram = new DeepgramOptions { BaseUrl = ws, ApiKey = SimulatedKey, Simulated = true };
            providers._elevenLabs = new ElevenLabsOptions { BaseUrl = ws, ApiKey = SimulatedKey, Simulated = true };
            providers._openAiSpeech = new OpenAiSpeechOptions { BaseUrl = httpBase, ApiKey = SimulatedKey, Simulated = true };
            providers.Apps.Add(app);
        }

        if (Uses(chain, FaultStage.Stt, "openai"))
        {
            var simulator = providers.TranscriptionSimulator(chain, faults, control, time, loggers);
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapSimulator(simulator));
            providers._openAiTranscription = SimulatedTranscription(new Uri(app.WebSocketBase(), WebHosts.RealtimePath));
            providers.Apps.Add(app);
        }

        if (Uses(chain, FaultStage.Llm, "openai"))
        {
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => providers.ChatSimulator(chain, faults, "openai", time, loggers).Map(a));
            providers._openAiChat = new ChatEndpoint(new Uri(HttpBase(app), "/v1"), SimulatedKey, "gpt-4o-mini", true);
            providers.Apps.Add(app);
        }

        if (Uses(chain, FaultStage.Llm, "claude"))
        {
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => providers.ChatSimulator(chain, faults, "claude", time, loggers).Map(a));
            providers._anthropicChat = new ChatEndpoint(HttpBase(app), SimulatedKey, "claude-sonnet-4-5", true);
            providers.Apps.Add(app);
        }

        return providers;
    }

    /// <summary>Virtual time: every provider in memory (WebSocket ones on <paramref name="network"/>, HTTP ones through <see cref="InMemoryHttp"/>).</summary>
    public static CascadeProviders InMemory(
        ChainSpec chain, SimulatorControl control, InMemoryNetwork network, TimeProvider time, ILoggerFactory loggers, IReadOnlyList<FaultSpec>? faults = null)
    {
        var providers = new CascadeProviders { _inlineLocalStt = true, _time = time, _control = control };
        providers.PlanLocalStages(chain, faults);
        var http = new InMemoryHttp();
        if (Uses(chain, FaultStage.Stt, "deepgram") || Uses(chain, FaultStage.Tts, "elevenlabs") || Uses(chain, FaultStage.Tts, "openai"))
        {
            var simulator = providers.NewCascadeSimulator(chain, faults, control, time, loggers);
            network.Listen("deepgram.invalid", simulator.Deepgram.HandleAsync, simulator.Deepgram.Admit);
            network.Listen("elevenlabs.invalid", simulator.ElevenLabs.HandleAsync, simulator.ElevenLabs.Admit);
            http.Listen("openai-speech.invalid", Route(CascadeWebHosts.OpenAiSpeechPath, simulator.OpenAiSpeech.HandleAsync));
            providers._deepgram = new DeepgramOptions { BaseUrl = new Uri("ws://deepgram.invalid"), ApiKey = SimulatedKey, Simulated = true };
            providers._elevenLabs = new ElevenLabsOptions { BaseUrl = new Uri("ws://elevenlabs.invalid"), ApiKey = SimulatedKey, Simulated = true };
            providers._openAiSpeech = new OpenAiSpeechOptions { BaseUrl = new Uri("http://openai-speech.invalid"), ApiKey = SimulatedKey, Simulated = true };
        }

        if (Uses(chain, FaultStage.Stt, "openai"))
        {
            var simulator = providers.TranscriptionSimulator(chain, faults, control, time, loggers);
            network.Listen("openai-transcription.invalid", simulator.HandleAsync, simulator.Admit);
            providers._openAiTranscription = SimulatedTranscription(new Uri("ws://openai-transcription.invalid" + WebHosts.RealtimePath));
        }

        if (Uses(chain, FaultStage.Llm, "openai"))
        {
            http.Listen("openai-chat.invalid", Route(Simulator.Chat.ChatSimulator.OpenAiPath, providers.ChatSimulator(chain, faults, "openai", time, loggers).HandleOpenAiAsync));
            providers._openAiChat = new ChatEndpoint(new Uri("http://openai-chat.invalid/v1"), SimulatedKey, "gpt-4o-mini", true);
        }

        if (Uses(chain, FaultStage.Llm, "claude"))
        {
            http.Listen("anthropic-chat.invalid", Route(Simulator.Chat.ChatSimulator.AnthropicPath, providers.ChatSimulator(chain, faults, "claude", time, loggers).HandleAnthropicAsync));
            providers._anthropicChat = new ChatEndpoint(new Uri("http://anthropic-chat.invalid"), SimulatedKey, "claude-sonnet-4-5", true);
        }

        providers._http = providers.OwnedHttp = new HttpClient(http);
        return providers;
    }

    /// <summary>The provider a cascade uses at <paramref name="stage"/>.</summary>
    public static string? Provider(EngineSpec engine, FaultStage stage) => stage switch
    {
        FaultStage.Stt => engine.Stt,
        FaultStage.Llm => engine.Llm,
        FaultStage.Tts => engine.Tts,
        _ => null,
    };

    private static bool Uses(ChainSpec chain, FaultStage stage, string provider) =>
        chain.Engines.Any(e => e.Kind == EngineKind.Cascade && Provider(e, stage) == provider);

    /// <summary>
    /// The plan of the simulator serving <paramref name="provider"/> at <paramref name="stage"/>:
    /// the faults aimed at that stage of an engine that uses it (validation made sure one engine
    /// at most does when any is aimed at); registered under that engine for <c>faultAtMs</c>.
    /// </summary>
    private FaultPlan PlanFor(ChainSpec chain, IReadOnlyList<FaultSpec>? faults, FaultStage stage, string provider, TimeProvider time)
    {
        var engines = chain.Engines.Where(e => e.Kind == EngineKind.Cascade && Provider(e, stage) == provider).ToList();
        var aimed = (faults ?? []).Where(f => f.Stage == stage && ReplayEnvironment.EngineOf(chain, f) is { } e && engines.Contains(e)).ToList();
        var plan = new FaultPlan(aimed, time);
        foreach (var engine in engines)
        {
            Register(engine.Name, plan);
        }

        return plan;
    }

    /// <summary>A fault plan for each local stage that has faults aimed at it; the engine factory wraps those stages.</summary>
    private void PlanLocalStages(ChainSpec chain, IReadOnlyList<FaultSpec>? faults)
    {
        foreach (var group in (faults ?? []).Where(f => f.Stage != FaultStage.None).GroupBy(f => (Engine: ReplayEnvironment.EngineOf(chain, f), f.Stage)))
        {
            if (group.Key.Engine is { Kind: EngineKind.Cascade } engine && LocalStageFaults.IsLocal(Provider(engine, group.Key.Stage)))
            {
                var plan = new FaultPlan(group, _time);
                _localPlans[(engine.Name, group.Key.Stage)] = plan;
                Register(engine.Name, plan);
            }
        }
    }

    private void Register(string engine, FaultPlan plan)
    {
        if (!Plans.TryGetValue(engine, out var plans))
        {
            Plans[engine] = plans = [];
        }

        plans.Add(plan);
    }

    private CascadeSimulator NewCascadeSimulator(ChainSpec chain, IReadOnlyList<FaultSpec>? faults, SimulatorControl control, TimeProvider time, ILoggerFactory loggers)
    {
        var simulator = new CascadeSimulator(new CascadeSimulatorOptions(), time, loggers, control);
        simulator.Deepgram.Faults = PlanFor(chain, faults, FaultStage.Stt, "deepgram", time);
        simulator.ElevenLabs.Faults = PlanFor(chain, faults, FaultStage.Tts, "elevenlabs", time);
        simulator.OpenAiSpeech.Faults = PlanFor(chain, faults, FaultStage.Tts, "openai", time);
        return simulator;
    }

    /// <summary>OpenAI transcription sessions are Realtime sessions: the Realtime simulator serves them, hearing the call's hints.</summary>
    private RealtimeSimulator TranscriptionSimulator(ChainSpec chain, IReadOnlyList<FaultSpec>? faults, SimulatorControl control, TimeProvider time, ILoggerFactory loggers) =>
        new(new SimulatorOptions(), time, loggers.CreateLogger<RealtimeSimulator>(), control, "openai-stt")
        {
            Faults = PlanFor(chain, faults, FaultStage.Stt, "openai", time),
        };

    /// <summary>One chat simulator per LLM provider, so each has the faults of its own stage.</summary>
    private ChatSimulator ChatSimulator(ChainSpec chain, IReadOnlyList<FaultSpec>? faults, string provider, TimeProvider time, ILoggerFactory loggers) =>
        new(new ChatSimulatorOptions(), time, loggers.CreateLogger<ChatSimulator>())
        {
            Faults = PlanFor(chain, faults, FaultStage.Llm, provider, time),
        };

    private static RequestDelegate Route(string path, RequestDelegate handler) => context =>
    {
        if (context.Request.Path.Equals(path, StringComparison.Ordinal) && HttpMethods.IsPost(context.Request.Method))
        {
            return handler(context);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    };

    private static Uri HttpBase(WebApplication app) => new("http://" + app.WebSocketBase().Authority);

    private static OpenAiTranscriptionOptions SimulatedTranscription(Uri endpoint) =>
        new() { Endpoint = endpoint, ApiKey = SimulatedKey, Simulated = true };
}
