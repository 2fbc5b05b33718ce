using VoiceBridge.Call;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Media;
using VoiceBridge.Speech;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Engines.Cascade.Local;

/// <summary>
/// Recognition accuracy of the local recogniser with the Bright Smile Dental grammar (built from the
/// domain phrases, never from the fixtures' sidecars), on the telephone path: fixture audio at 8 kHz,
/// mu-law encoded in 20 ms frames, utterances cut by our VAD as the cascade engine would.
/// </summary>
public sealed class PocketsphinxAccuracyTests(ITestOutputHelper output)
{
    /// <summary>The cascade engine's threshold: below it a transcript counts as not understood.</summary>
    private static readonly double MinConfidence = new CascadeEngineOptions().MinConfidence;

    [Theory]
    [InlineData("booking-ulaw8k")]
    [InlineData("hours-pcm16k")]
    public async Task CleanFixture_WordErrorRateIsBelow15Percent_AndEveryUtteranceIsConfident(string fixture)
    {
        var (wer, results) = await RunFixtureAsync(fixture);

        Assert.True(wer < 0.15, $"{fixture}: WER {wer:P1}");
        Assert.All(results, r => Assert.True(r.Transcript.Confidence >= MinConfidence, $"'{r.Transcript.Text}' confidence {r.Transcript.Confidence:F2}"));
    }

    [Fact]
    public async Task NoisyFixture_WordErrorRateIsReported()
    {
        var (_, results) = await RunFixtureAsync("cancel-noisy-44k-stereo");

        Assert.Equal(4, results.Count);
    }

    [Fact]
    public async Task OutOfGrammarSpeech_IsBelowMinConfidence_WhileDomainPhrasesAreAboveAndRight()
    {
        string[] domain =
        [
            "hello i would like to book an appointment", "i need to cancel my appointment", "i would like to move my appointment",
            "what are your opening hours", "can i come in on saturday", "tomorrow afternoon if possible", "tomorrow morning",
            "please book me for ten in the morning", "it was on friday at two o'clock", "my name is maria lopez",
            "my name is john smith", "my name is anna brown", "my name is david lee", "yes that works for me thank you",
            "no thank you goodbye", "that is all goodbye", "good morning", "hi", "monday", "wednesday", "three o'clock",
            "eleven in the morning", "four in the afternoon", "yes", "no", "thank you",
        ];
        string[] outOfGrammar =
        [
            "The weather in Paris is lovely today.", "I would like to order a large pizza.", "My car broke down on the highway.",
            "Do you have any vacancies for a nurse?", "Can you tell me the price of a cleaning?", "My name is Peter Parker.",
            "I need to cancel my subscription.", "What time does the train leave?", "Please send the invoice to my office.",
            "Is the doctor available next week?", "I lost my credit card yesterday.", "Can I speak to the manager please?",
        ];

        var heard = new List<(string Text, SpeechTranscript Transcript)>();
        foreach (var text in domain.Concat(outOfGrammar))
        {
            heard.Add((text, await RecogniseSynthesizedAsync(text)));
        }

        foreach (var (text, transcript) in heard)
        {
            output.WriteLine($"{(domain.Contains(text) ? "domain" : "other "),-6} {transcript.Confidence,5:F2} | {text} -> '{transcript.Text}'");
        }

        Assert.All(heard.Where(h => domain.Contains(h.Text)), h => Assert.True(h.Transcript.Confidence >= MinConfidence, $"'{h.Text}': {h.Transcript.Confidence:F2}"));
        Assert.All(heard.Where(h => !domain.Contains(h.Text)), h => Assert.True(h.Transcript.Confidence < MinConfidence, $"'{h.Text}': {h.Transcript.Confidence:F2}"));
        var (errors, words) = heard.Where(h => domain.Contains(h.Text))
            .Select(h => WordErrorRate.Count(h.Text, h.Transcript.Text))
            .Aggregate((Errors: 0, Words: 0), (sum, c) => (sum.Errors + c.Errors, sum.Words + c.ReferenceWords));
        output.WriteLine($"domain phrases: WER {(double)errors / words:P1} ({errors}/{words} words)");
        Assert.True(errors <= words / 20, $"domain phrases: {errors} errors in {words} words");
    }

    private async Task<(double Wer, IReadOnlyList<(SpeechTranscript Transcript, TimeSpan Decode)> Results)> RunFixtureAsync(string fixture)
    {
        var (samples, lines) = LocalStt.Fixture(fixture);
        var results = await LocalStt.RecogniseAsync(samples);
        Assert.Equal(lines.Length, results.Count);
        int errors = 0, words = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            var (transcript, decode) = results[i];
            var (e, n) = WordErrorRate.Count(lines[i], transcript.Text);
            errors += e;
            words += n;
            output.WriteLine($"{fixture} #{i + 1}: {e}/{n} errors, confidence {transcript.Confidence:F2}, decode {decode.TotalMilliseconds:F0} ms | {lines[i]} -> '{transcript.Text}'");
        }

        double wer = (double)errors / words;
        output.WriteLine($"{fixture}: WER {wer:P1} ({errors}/{words} words)");
        return (wer, results);
    }

    // espeak-ng (en-us) at 8 kHz mu-law, with 250 ms of silence either side, as one utterance.
    private static async Task<SpeechTranscript> RecogniseSynthesizedAsync(string text)
    {
        var mulaw = new EspeakSynthesizer().SynthesizeMuLaw(text);
        var pcm = new short[mulaw.Length + 4000];
        G711.MuLawDecode(mulaw, pcm.AsSpan(2000, mulaw.Length));
        var results = await LocalStt.RecogniseAsync(pcm);
        return Assert.Single(results).Transcript;
    }
}
