using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Speech;

namespace VoiceBridge.Hosting;

/// <summary>
/// Where each provider of a deployment is and how to reach it: the Realtime endpoints by engine
/// name, the remote cascade stages, the HTTP client for HTTP providers, and the local stages.
/// </summary>
public sealed class ProviderEndpoints
{
    /// <summary>The Realtime endpoints of the chain's Realtime engines (openai-realtime, azure-realtime).</summary>
    public required IReadOnlyDictionary<string, RealtimeEngineOptions> Realtime { get; init; }

    public DeepgramOptions? Deepgram { get; init; }

    /// <summary>OpenAI's Realtime transcription sessions (speech-to-text "openai").</summary>
    public OpenAiTranscriptionOptions? OpenAiTranscription { get; init; }

    public ElevenLabsOptions? ElevenLabs { get; init; }

    public OpenAiSpeechOptions? OpenAiSpeech { get; init; }

    public ChatEndpoint? OpenAiChat { get; init; }

    public ChatEndpoint? AnthropicChat { get; init; }

    /// <summary>For the HTTP providers (chat, OpenAI speech).</summary>
    public HttpClient? Http { get; init; }

    /// <summary>The local speech-to-text stage (pocketsphinx with the deployment's grammar), when available.</summary>
    public Func<ISpeechToText>? LocalSpeechToText { get; init; }

    /// <summary>The local voice (espeak-ng).</summary>
    public ISpeechSynthesizer LocalVoice { get; init; } = new EspeakSynthesizer();

    /// <summary>Wraps each cascade stage as the engine factory builds it (replay injects faults into the local ones) [none].</summary>
    public ICascadeStageWrapper? Stages { get; init; }

    public RealtimeEngineOptions RealtimeFor(string engine) =>
        Realtime.TryGetValue(engine, out var options)
            ? options
            : throw new InvalidOperationException($"no Realtime endpoint is configured for engine '{engine}'");

    /// <summary>True when the engine's remote providers are simulated (the report says so).</summary>
    public bool IsSimulated(EngineSpec engine) => engine.Kind switch
    {
        EngineKind.Realtime => Realtime.TryGetValue(engine.Name, out var options) && options.Simulated,
        _ => engine.Stt switch { "deepgram" => Deepgram?.Simulated == true, "openai" => OpenAiTranscription?.Simulated == true, _ => true }
            && engine.Llm switch { "openai" => OpenAiChat?.Simulated == true, "claude" => AnthropicChat?.Simulated == true, _ => true }
            && engine.Tts switch { "elevenlabs" => ElevenLabs?.Simulated == true, "openai" => OpenAiSpeech?.Simulated == true, _ => true }
            && (engine.Stt, engine.Llm, engine.Tts) != ("pocketsphinx", "scripted", "espeak"),
    };
}

/// <summary>A chat LLM endpoint.</summary>
public sealed record ChatEndpoint(Uri Endpoint, string ApiKey, string Model, bool Simulated);
