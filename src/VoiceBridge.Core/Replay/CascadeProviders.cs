using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Hosting;
using VoiceBridge.Simulator;
using VoiceBridge.Simulator.Cascade;
using VoiceBridge.Simulator.Chat;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>
/// The cascade providers a replayed chain needs: simulated Deepgram/ElevenLabs/OpenAI-speech/OpenAI-transcription and
/// chat endpoints (on loopback Kestrel, or the WebSocket ones in memory for virtual time), sharing
/// the call's simulator control, plus the local stages.
/// </summary>
internal sealed class CascadeProviders
{
    private const string SimulatedKey = "simulated-key";

    private DeepgramOptions? _deepgram;
    private OpenAiTranscriptionOptions? _openAiTranscription;
    private ElevenLabsOptions? _elevenLabs;
    private OpenAiSpeechOptions? _openAiSpeech;
    private ChatEndpoint? _openAiChat;
    private ChatEndpoint? _anthropicChat;
    private HttpClient? _http;
    private bool _inlineLocalStt;

    public List<WebApplication> Apps { get; } = [];

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
    };

    public static async Task<CascadeProviders> StartLoopbackAsync(ChainSpec chain, SimulatorControl control, HttpClient http, ILoggerFactory loggers)
    {
        var providers = new CascadeProviders { _http = http };
        var cascades = chain.Engines.Where(e => e.Kind == EngineKind.Cascade).ToList();
        if (cascades.Any(e => e.Stt == "deepgram" || e.Tts is "elevenlabs" or "openai"))
        {
            var simulator = new CascadeSimulator(new CascadeSimulatorOptions(), TimeProvider.System, loggers, control);
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapCascadeSimulators(simulator));
            var ws = app.WebSocketBase();
            var httpBase = new Uri("http://" + ws.Authority);
            providers._deepgram = new DeepgramOptions { BaseUrl = ws, ApiKey = SimulatedKey, Simulated = true };
            providers._elevenLabs = new ElevenLabsOptions { BaseUrl = ws, ApiKey = SimulatedKey, Simulated = true };
            providers._openAiSpeech = new OpenAiSpeechOptions { BaseUrl = httpBase, ApiKey = SimulatedKey, Simulated = true };
            providers.Apps.Add(app);
        }

        if (cascades.Any(e => e.Stt == "openai"))
        {
            var simulator = TranscriptionSimulator(control, TimeProvider.System, loggers);
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapSimulator(simulator));
            providers._openAiTranscription = SimulatedTranscription(new Uri(app.WebSocketBase(), WebHosts.RealtimePath));
            providers.Apps.Add(app);
        }

        if (cascades.Any(e => e.Llm is "openai" or "claude"))
        {
            var chat = new ChatSimulator(new ChatSimulatorOptions(), TimeProvider.System, loggers.CreateLogger<ChatSimulator>());
            var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => chat.Map(a));
            var httpBase = new Uri("http://" + app.WebSocketBase().Authority);
            providers._openAiChat = new ChatEndpoint(new Uri(httpBase, "/v1"), SimulatedKey, "gpt-4o-mini", true);
            providers._anthropicChat = new ChatEndpoint(httpBase, SimulatedKey, "claude-sonnet-4-5", true);
            providers.Apps.Add(app);
        }

        return providers;
    }

    /// <summary>Virtual time: the WebSocket providers in memory; HTTP providers need real sockets.</summary>
    public static CascadeProviders InMemory(ChainSpec chain, SimulatorControl control, InMemoryNetwork network, TimeProvider time, ILoggerFactory loggers)
    {
        var providers = new CascadeProviders { _inlineLocalStt = true };
        var cascades = chain.Engines.Where(e => e.Kind == EngineKind.Cascade).ToList();
        var http = cascades.FirstOrDefault(e => e.Llm is "openai" or "claude" || e.Tts == "openai");
        if (http is not null)
        {
            throw new NotSupportedException($"engine '{http.Name}' uses HTTP providers, which replay on real loopback sockets only (not in virtual time)");
        }

        if (cascades.Any(e => e.Stt == "deepgram" || e.Tts == "elevenlabs"))
        {
            var simulator = new CascadeSimulator(new CascadeSimulatorOptions(), time, loggers, control);
            network.Listen("deepgram.invalid", simulator.Deepgram.HandleAsync);
            network.Listen("elevenlabs.invalid", simulator.ElevenLabs.HandleAsync);
            providers._deepgram = new DeepgramOptions { BaseUrl = new Uri("ws://deepgram.invalid"), ApiKey = SimulatedKey, Simulated = true };
            providers._elevenLabs = new ElevenLabsOptions { BaseUrl = new Uri("ws://elevenlabs.invalid"), ApiKey = SimulatedKey, Simulated = true };
        }

        if (cascades.Any(e => e.Stt == "openai"))
        {
            network.Listen("openai-transcription.invalid", TranscriptionSimulator(control, time, loggers).HandleAsync);
            providers._openAiTranscription = SimulatedTranscription(new Uri("ws://openai-transcription.invalid" + WebHosts.RealtimePath));
        }

        return providers;
    }

    /// <summary>OpenAI transcription sessions are Realtime sessions: the Realtime simulator serves them, hearing the call's hints.</summary>
    private static RealtimeSimulator TranscriptionSimulator(SimulatorControl control, TimeProvider time, ILoggerFactory loggers) =>
        new(new SimulatorOptions(), time, loggers.CreateLogger<RealtimeSimulator>(), control, "openai-stt");

    private static OpenAiTranscriptionOptions SimulatedTranscription(Uri endpoint) =>
        new() { Endpoint = endpoint, ApiKey = SimulatedKey, Simulated = true };
}
