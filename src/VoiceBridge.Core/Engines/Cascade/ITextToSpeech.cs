namespace VoiceBridge.Engines.Cascade;

/// <summary>
/// A streaming text-to-speech provider: text arrives in chunks (sentences, as the LLM streams
/// them) and audio leaves as soon as the provider makes it, as G.711 mu-law at 8 kHz (providers
/// with other formats are resampled and encoded by their adapter).
/// </summary>
public interface ITextToSpeech
{
    /// <summary>The stage's provider name (e.g. "elevenlabs", "espeak-ng").</summary>
    string Name { get; }

    /// <summary>
    /// Speaks the text chunks in order, yielding audio chunks as they come; ends when the text has
    /// ended and its audio is out. Failure throws <see cref="TextToSpeechException"/>.
    /// </summary>
    IAsyncEnumerable<byte[]> SpeakAsync(IAsyncEnumerable<string> text, CancellationToken cancellationToken);
}

/// <summary>A text-to-speech provider failed; the message names the provider and the problem.</summary>
public sealed class TextToSpeechException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The provider's connection broke in the middle of the speech (not refused, not an error it reported).</summary>
    public bool ConnectionLost { get; init; }

    /// <summary>The HTTP status the provider refused the request or connection with, when it gave one (429: rate limited).</summary>
    public int? StatusCode { get; init; }
}
