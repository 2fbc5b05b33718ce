using System.Runtime.CompilerServices;
using VoiceBridge.Speech;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>Local TTS: each text chunk spoken by espeak-ng (no network), yielded as soon as it is rendered.</summary>
public sealed class EspeakTextToSpeech(ISpeechSynthesizer synthesizer) : ITextToSpeech
{
    public string Name => "espeak-ng";

    public async IAsyncEnumerable<byte[]> SpeakAsync(IAsyncEnumerable<string> text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var chunk in text.WithCancellation(cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(chunk))
            {
                continue;
            }

            byte[] audio;
            try
            {
                audio = synthesizer.SynthesizeMuLaw(chunk);
            }
            catch (SpeechSynthesisException e)
            {
                throw new TextToSpeechException($"espeak-ng: {e.Message}", e);
            }

            yield return audio;
        }
    }
}
