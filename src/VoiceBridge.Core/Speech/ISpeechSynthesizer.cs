namespace VoiceBridge.Speech;

/// <summary>Text to telephone audio (mu-law, 8 kHz mono), whole utterance at a time.</summary>
public interface ISpeechSynthesizer
{
    /// <summary>Synthesizes <paramref name="text"/>; throws <see cref="SpeechSynthesisException"/> naming the problem.</summary>
    byte[] SynthesizeMuLaw(string text);
}

/// <summary>A synthesizer could not produce audio.</summary>
public sealed class SpeechSynthesisException(string message, Exception? inner = null) : Exception(message, inner);
