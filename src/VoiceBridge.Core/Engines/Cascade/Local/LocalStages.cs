namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// The local cascade's speech-to-text: pocketsphinx with the deployment's domain grammar (built
/// once per process: the pronunciation dictionary is large).
/// </summary>
public static class LocalStages
{
    private static readonly Lazy<JsgfGrammar> Grammar = new(() => JsgfGrammar.Build(DentalDomain.Phrases, new PocketsphinxOptions()));

    /// <summary>
    /// A recogniser factory. <paramref name="inline"/> decodes on the calling thread (virtual time,
    /// deterministic); otherwise decoding runs off the call's loop.
    /// </summary>
    public static Func<ISpeechToText> SpeechToText(bool inline) => () => new PocketsphinxRecognizer(Grammar.Value, runInline: inline);

    /// <summary>The domain grammar (also what the simulated providers recognise turns with when given no words).</summary>
    internal static JsgfGrammar DomainGrammar => Grammar.Value;
}
