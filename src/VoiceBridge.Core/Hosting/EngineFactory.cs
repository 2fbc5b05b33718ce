using Microsoft.Extensions.Logging;
using VoiceBridge.Engines;
using Microsoft.Extensions.AI;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Engines.Cascade.Remote;
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
        _ => new CascadeEngine(
            new CascadeEngineOptions { Name = spec.Name },
            () => SpeechToText(spec),
            Chat(spec),
            TextToSpeech(spec),
            time,
            loggers.CreateLogger<CascadeEngine>()),
    };

    private ISpeechToText SpeechToText(EngineSpec spec) => spec.Stt switch
    {
        "pocketsphinx" => (endpoints.LocalSpeechToText ?? throw Missing(spec, "the local speech-to-text (pocketsphinx grammar)"))(),
        "deepgram" => new DeepgramSpeechToText(endpoints.Deepgram ?? throw Missing(spec, "Deepgram"), connector, time, loggers.CreateLogger<DeepgramSpeechToText>()),
        "openai" => new OpenAiTranscriptionSpeechToText(
            endpoints.OpenAiTranscription ?? throw Missing(spec, "OpenAI transcription"), connector, time, loggers.CreateLogger<OpenAiTranscriptionSpeechToText>()),
        _ => throw Missing(spec, $"speech-to-text '{spec.Stt}'"),
    };

    private IChatClient Chat(EngineSpec spec) => spec.Llm switch
    {
        "scripted" => new ScriptedDialogChatClient(time: time),
        "openai" when endpoints.OpenAiChat is { } chat => ChatClients.OpenAi(chat.Endpoint, chat.ApiKey, chat.Model, Http(spec), new ChatProviderOptions { Time = time }),
        "claude" when endpoints.AnthropicChat is { } chat => ChatClients.Anthropic(chat.Endpoint, chat.ApiKey, chat.Model, Http(spec), new ChatProviderOptions { Time = time }),
        _ => throw Missing(spec, $"chat '{spec.Llm}'"),
    };

    private ITextToSpeech TextToSpeech(EngineSpec spec) => spec.Tts switch
    {
        "espeak" => new EspeakTextToSpeech(endpoints.LocalVoice),
        "elevenlabs" => new ElevenLabsTextToSpeech(endpoints.ElevenLabs ?? throw Missing(spec, "ElevenLabs"), connector, time, loggers.CreateLogger<ElevenLabsTextToSpeech>()),
        "openai" => new OpenAiTextToSpeech(endpoints.OpenAiSpeech ?? throw Missing(spec, "OpenAI speech"), Http(spec), time, loggers.CreateLogger<OpenAiTextToSpeech>()),
        _ => throw Missing(spec, $"text-to-speech '{spec.Tts}'"),
    };

    private HttpClient Http(EngineSpec spec) => endpoints.Http ?? throw Missing(spec, "an HTTP client for its HTTP providers");

    private static InvalidOperationException Missing(EngineSpec spec, string what) =>
        new($"engine '{spec.Name}' needs {what}, which this deployment does not configure");
}
