namespace VoiceBridge.Engines.Cascade;

/// <summary>
/// A streaming speech-to-text provider for one call: caller audio in (G.711 mu-law, 8 kHz, 20 ms
/// frames, in order), interim and final transcripts out. Turns come from the cascade's own VAD,
/// which calls <see cref="EndOfUtterance"/> when the caller stops; the provider then sends the
/// utterance's final transcript.
/// </summary>
public interface ISpeechToText : IAsyncDisposable
{
    /// <summary>The stage's provider name (e.g. "deepgram", "pocketsphinx").</summary>
    string Name { get; }

    /// <summary>Connects or starts the recogniser; transcripts and errors go to <paramref name="events"/>.</summary>
    Task StartAsync(ISpeechToTextEvents events, CancellationToken cancellationToken);

    /// <summary>Queues caller audio; never blocks.</summary>
    void SendAudio(ReadOnlySpan<byte> mulaw);

    /// <summary>Our VAD heard the caller stop: finalise the current utterance.</summary>
    void EndOfUtterance();
}

/// <summary>Where a speech-to-text provider reports.</summary>
public interface ISpeechToTextEvents
{
    ValueTask OnTranscriptAsync(SpeechTranscript transcript);

    /// <summary>The provider failed (<paramref name="fatal"/>: it can take no more audio).</summary>
    ValueTask OnErrorAsync(string message, bool fatal);
}

/// <summary>
/// A transcript. <see cref="IsFinal"/> ends an utterance; <see cref="Confidence"/> (0..1) is the
/// recogniser's own, when it gives one (a grammar-constrained recogniser forces any sound into
/// some phrase, so a low confidence means "ask again", not "answer").
/// </summary>
public sealed record SpeechTranscript(string Text, bool IsFinal, double? Confidence);
