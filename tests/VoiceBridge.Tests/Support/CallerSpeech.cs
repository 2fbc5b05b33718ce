using VoiceBridge.Media;
using VoiceBridge.Speech;

namespace VoiceBridge.Tests.Support;

/// <summary>A caller's recording for tests that place one real call: 0.5 s of silence, the words (espeak-ng), 2 s of silence.</summary>
internal static class CallerSpeech
{
    public static short[] OneUtterance(string text)
    {
        var speech = new EspeakSynthesizer().SynthesizeMuLaw(text);
        var pcm = new short[speech.Length];
        G711.MuLawDecode(speech, pcm);
        return [.. new short[4000], .. pcm, .. new short[16000]];
    }
}
