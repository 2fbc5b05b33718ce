using VoiceBridge.Speech;

namespace VoiceBridge.Call;

/// <summary>The words a caller hears when every engine of the chain is down, rendered once at start-up.</summary>
public static class LastResort
{
    public const string DefaultApology = "I'm sorry, we are having technical difficulties and cannot continue this call. Please call back later. Goodbye.";

    /// <summary>The apology as mu-law 8 kHz audio, spoken by the local voice (no network needed when everything else is down).</summary>
    public static byte[] Render(ISpeechSynthesizer voice) => voice.SynthesizeMuLaw(DefaultApology);
}
