using VoiceBridge.Speech;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>How the simulated cascade providers (Deepgram-, ElevenLabs- and OpenAI-speech-style) behave.</summary>
public sealed class CascadeSimulatorOptions
{
    /// <summary>The voice of both simulated text-to-speech providers [espeak-ng].</summary>
    public ISpeechSynthesizer Synthesizer { get; set; } = new EspeakSynthesizer();

    /// <summary>When set, the key each provider must be given in its own header; when null any key (or none) is accepted.</summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>Speech-to-text: caller audio (ms) between interim results while speech goes on [500].</summary>
    public int InterimEveryMs { get; set; } = 500;

    /// <summary>Speech-to-text: speech (ms) that reveals one more word of the hint in interim results [350].</summary>
    public int WordMs { get; set; } = 350;

    /// <summary>Speech-to-text: from Finalize to its <c>from_finalize</c> result [50 ms].</summary>
    public TimeSpan FinalizeDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Speech-to-text: with no audio or KeepAlive for this long the stream closes (1011, NET-0001) [10 s, as Deepgram].</summary>
    public TimeSpan SttIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Text-to-speech: from a generation's text to its first audio [200 ms].</summary>
    public TimeSpan FirstAudioDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Text-to-speech: audio (ms) carried by one chunk [250].</summary>
    public int ChunkAudioMs { get; set; } = 250;

    /// <summary>Text-to-speech: time between chunks, faster than real time as real providers stream [50 ms].</summary>
    public TimeSpan ChunkInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Text-to-speech WebSocket: with no new text for this long the stream ends (1008) [20 s, ElevenLabs' default].</summary>
    public TimeSpan TtsInputTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
