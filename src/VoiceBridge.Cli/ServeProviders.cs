using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Hosting;

namespace VoiceBridge.Cli;

/// <summary>
/// The cascade providers <c>serve</c> reaches (the Realtime ones are <see cref="RealtimeSettings"/>'s), from the environment (keys never come from the command
/// line, so they stay out of shell history and process lists). Each engine of the chain that needs
/// a key it lacks is a configuration error naming the variable.
/// </summary>
internal static class ServeProviders
{
    public static ProviderEndpoints FromEnvironment(ChainSpec chain, IReadOnlyDictionary<string, RealtimeEngineOptions> realtime, HttpClient http, List<string> errors)
    {
        string? Key(string variable, EngineSpec engine, string stage)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{variable} is required: engine '{engine.Name}' uses it for its {stage}");
            }

            return value;
        }

        DeepgramOptions? deepgram = null;
        OpenAiTranscriptionOptions? openAiTranscription = null;
        ElevenLabsOptions? elevenLabs = null;
        OpenAiSpeechOptions? openAiSpeech = null;
        ChatEndpoint? openAiChat = null;
        ChatEndpoint? anthropicChat = null;
        foreach (var engine in chain.Engines.Where(e => e.Kind == EngineKind.Cascade))
        {
            if (engine.Stt == "deepgram")
            {
                deepgram = new DeepgramOptions { ApiKey = Key("DEEPGRAM_API_KEY", engine, "speech-to-text") };
            }

            if (engine.Stt == "openai")
            {
                openAiTranscription = new OpenAiTranscriptionOptions { ApiKey = Key("OPENAI_API_KEY", engine, "speech-to-text") };
            }

            if (engine.Tts == "elevenlabs")
            {
                elevenLabs = new ElevenLabsOptions { ApiKey = Key("ELEVENLABS_API_KEY", engine, "text-to-speech") };
            }

            if (engine.Tts == "openai")
            {
                openAiSpeech = new OpenAiSpeechOptions { ApiKey = Key("OPENAI_API_KEY", engine, "text-to-speech") };
            }

            if (engine.Llm == "openai")
            {
                openAiChat = new ChatEndpoint(Engines.Cascade.Llm.ChatClients.OpenAiEndpoint, Key("OPENAI_API_KEY", engine, "LLM") ?? "", "gpt-4o-mini", false);
            }

            if (engine.Llm == "claude")
            {
                anthropicChat = new ChatEndpoint(Engines.Cascade.Llm.ChatClients.AnthropicEndpoint, Key("ANTHROPIC_API_KEY", engine, "LLM") ?? "", "claude-sonnet-4-5", false);
            }
        }

        return new ProviderEndpoints
        {
            Realtime = realtime,
            Deepgram = deepgram,
            OpenAiTranscription = openAiTranscription,
            ElevenLabs = elevenLabs,
            OpenAiSpeech = openAiSpeech,
            OpenAiChat = openAiChat,
            AnthropicChat = anthropicChat,
            Http = http,
            LocalSpeechToText = LocalStages.SpeechToText(inline: false),
        };
    }
}
