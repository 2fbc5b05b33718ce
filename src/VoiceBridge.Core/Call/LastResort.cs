using VoiceBridge.Speech;

namespace VoiceBridge.Call;

/// <summary>
/// The words a caller hears when every engine of the chain is down, rendered once at start-up;
/// then the call is transferred (<see cref="CallSessionOptions.LastResortTransferTo"/>) or ended.
/// </summary>
public static class LastResort
{
    public const string DefaultApology = "I'm sorry, we are having technical difficulties and cannot continue this call. Please call back later. Goodbye.";

    /// <summary>The apology when the call is then transferred to a person.</summary>
    public const string TransferApology = "I'm sorry, we are having technical difficulties. Please hold while I transfer you to a colleague.";

    /// <summary>The words of the apology a call with these options hears.</summary>
    public static string Text(CallSessionOptions options) =>
        string.IsNullOrWhiteSpace(options.LastResortTransferTo) ? DefaultApology : TransferApology;

    /// <summary>What the filler says while the next engine prepares (<see cref="FailoverOptions.Filler"/>).</summary>
    public const string FillerText = "One moment, please.";

    /// <summary>The filler, rendered by the local voice.</summary>
    public static byte[] RenderFiller(ISpeechSynthesizer voice) => voice.SynthesizeMuLaw(FillerText);

    /// <summary>The apology as mu-law 8 kHz audio, spoken by the local voice (no network needed when everything else is down).</summary>
    public static byte[] Render(ISpeechSynthesizer voice) => voice.SynthesizeMuLaw(DefaultApology);

    /// <summary>The apology that fits <paramref name="options"/> (hang up or transfer), rendered by the local voice.</summary>
    public static byte[] Render(ISpeechSynthesizer voice, CallSessionOptions options) => voice.SynthesizeMuLaw(Text(options));
}
