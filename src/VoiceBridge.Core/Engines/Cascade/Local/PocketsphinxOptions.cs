namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// Tuning for <see cref="PocketsphinxRecognizer"/>. The defaults were measured on the media fixtures
/// and synthetic out-of-grammar speech (docs/local-stt.md).
/// </summary>
public sealed class PocketsphinxOptions
{
    /// <summary>The Debian package's model folder: acoustic model in <c>en-us/</c>, dictionary <c>cmudict-en-us.dict</c>.</summary>
    public const string DefaultModelDirectory = "/usr/share/pocketsphinx/model/en-us";

    /// <summary>Folder holding the acoustic model (<c>en-us/</c>) and the dictionary [the Debian package's].</summary>
    public string ModelDirectory { get; set; } = DefaultModelDirectory;

    /// <summary>The 16 kHz acoustic model folder inside <see cref="ModelDirectory"/>.</summary>
    public string AcousticModelPath => Path.Combine(ModelDirectory, "en-us");

    /// <summary>The pronunciation dictionary inside <see cref="ModelDirectory"/>.</summary>
    public string DictionaryPath => Path.Combine(ModelDirectory, "cmudict-en-us.dict");

    /// <summary>
    /// Level (dB relative to the utterance's speech level) of the noise put into the 4-8 kHz band that
    /// telephone audio lacks [-30]. The acoustic model was trained on wideband speech and an empty upper
    /// band skews its features: on the fixtures, -25 and -30 dB give 0 % WER, -35 and -40 dB lose one
    /// utterance, no fill (-90) two (25 % WER on the booking fixture).
    /// </summary>
    public double BandFillDb { get; set; } = -30;

    /// <summary>Viterbi beam, also used for the phone beam [1e-80; pocketsphinx's 1e-48 prunes the right path on noisy audio].</summary>
    public double Beam { get; set; } = 1e-80;

    /// <summary>Word-exit beam [1e-60].</summary>
    public double WordBeam { get; set; } = 1e-60;

    /// <summary>
    /// The acoustic score per frame (pocketsphinx's scaled log units, relative to the best senone of
    /// each frame) that maps to confidence 0.5 [-64]: in-grammar US-English speech measured -35..-63,
    /// out-of-grammar sentences -64..-80 (docs/local-stt.md). With the cascade's
    /// <c>MinConfidence</c> of 0.5 this is the accept/reject line.
    /// </summary>
    public double ConfidenceMidpoint { get; set; } = -64;

    /// <summary>Score units per e-fold of the confidence's logistic curve [3]: -55 gives 0.95, -70 gives 0.12.</summary>
    public double ConfidenceSlope { get; set; } = 3;

    /// <summary>
    /// The most audio kept for one decode [30 s]: the recogniser hears everything between two ends of
    /// utterance (the caller's silence while the agent talks included); older audio is dropped first.
    /// </summary>
    public TimeSpan MaxUtterance { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the values; the message names the bad option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelDirectory))
        {
            throw new ArgumentException("Pocketsphinx:ModelDirectory is empty");
        }

        if (BandFillDb is > 0 or < -90)
        {
            throw new ArgumentException($"Pocketsphinx:BandFillDb must be in -90..0 dB, not {BandFillDb}");
        }

        if (Beam is <= 0 or >= 1 || WordBeam is <= 0 or >= 1)
        {
            throw new ArgumentException($"Pocketsphinx:Beam and WordBeam must be in (0, 1), not {Beam} and {WordBeam}");
        }

        if (ConfidenceSlope <= 0)
        {
            throw new ArgumentException($"Pocketsphinx:ConfidenceSlope must be positive, not {ConfidenceSlope}");
        }

        if (MaxUtterance < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"Pocketsphinx:MaxUtterance must be at least 1 s, not {MaxUtterance}");
        }
    }
}
