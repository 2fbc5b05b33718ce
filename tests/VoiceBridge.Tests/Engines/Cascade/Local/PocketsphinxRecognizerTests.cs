using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Media;
using VoiceBridge.Speech;

namespace VoiceBridge.Tests.Engines.Cascade.Local;

/// <summary>How the local recogniser behaves as a cascade stage: when it posts, what it posts, how it fails.</summary>
public sealed class PocketsphinxRecognizerTests
{
    private const string Phrase = "yes that works for me thank you";

    [Fact]
    public async Task Inline_EndOfUtterance_PostsTheFinalTranscriptBeforeReturning()
    {
        var events = new TranscriptRecorder();
        await using var recognizer = new PocketsphinxRecognizer(LocalStt.DentalGrammar, runInline: true);
        await recognizer.StartAsync(events, CancellationToken.None);
        Send(recognizer, Speech(Phrase));

        recognizer.EndOfUtterance();

        var transcript = Assert.Single(events.Transcripts);
        Assert.Equal(Phrase, transcript.Text);
        Assert.True(transcript.IsFinal);
        Assert.InRange(transcript.Confidence!.Value, 0.5, 1);
        Assert.Equal("pocketsphinx", recognizer.Name);
    }

    [Fact]
    public async Task Background_PostsEveryUtteranceInOrder_BeforeDisposeCompletes()
    {
        var events = new TranscriptRecorder();
        var recognizer = new PocketsphinxRecognizer(LocalStt.DentalGrammar);
        await recognizer.StartAsync(events, CancellationToken.None);
        foreach (var phrase in new[] { Phrase, "my name is anna brown", "no thank you goodbye" })
        {
            Send(recognizer, Speech(phrase));
            recognizer.EndOfUtterance();
        }

        await recognizer.DisposeAsync();

        Assert.Equal([Phrase, "my name is anna brown", "no thank you goodbye"], events.Transcripts.Select(t => t.Text));
    }

    [Fact]
    public async Task NoAudio_OrSilence_GivesAnEmptyFinalTranscriptWithConfidenceZero()
    {
        var events = new TranscriptRecorder();
        await using var recognizer = new PocketsphinxRecognizer(LocalStt.DentalGrammar, runInline: true);
        await recognizer.StartAsync(events, CancellationToken.None);

        recognizer.EndOfUtterance();
        Send(recognizer, new short[CallClock.SampleRate]);
        recognizer.EndOfUtterance();

        Assert.Equal(2, events.Transcripts.Count);
        Assert.All(events.Transcripts, t => Assert.Equal((string.Empty, true, 0.0), (t.Text, t.IsFinal, t.Confidence)));
        Assert.Empty(events.Errors);
    }

    [Fact]
    public async Task LongWaitBeforeSpeaking_DropsTheOldestAudio_AndStillHearsTheCaller()
    {
        var events = new TranscriptRecorder();
        var options = new PocketsphinxOptions { MaxUtterance = TimeSpan.FromSeconds(3) };
        await using var recognizer = new PocketsphinxRecognizer(LocalStt.DentalGrammar, options, runInline: true);
        await recognizer.StartAsync(events, CancellationToken.None);

        Send(recognizer, new short[5 * CallClock.SampleRate]);
        Send(recognizer, Speech(Phrase));
        recognizer.EndOfUtterance();

        Assert.Equal(Phrase, Assert.Single(events.Transcripts).Text);
        Assert.True(recognizer.DroppedSamples >= 2 * CallClock.SampleRate, $"dropped {recognizer.DroppedSamples}");
    }

    [Fact]
    public async Task MissingModel_IsAFatalErrorNamingTheFileAndTheInstall_AndNoTranscriptFollows()
    {
        var events = new TranscriptRecorder();
        var options = new PocketsphinxOptions { ModelDirectory = "/nonexistent/pocketsphinx/model" };
        await using var recognizer = new PocketsphinxRecognizer(LocalStt.DentalGrammar, options, runInline: true);

        await recognizer.StartAsync(events, CancellationToken.None);
        Send(recognizer, Speech(Phrase));
        recognizer.EndOfUtterance();

        var (message, fatal) = Assert.Single(events.Errors);
        Assert.True(fatal);
        Assert.Contains("/nonexistent/pocketsphinx/model/en-us/mdef", message, StringComparison.Ordinal);
        Assert.Contains("apt-get install pocketsphinx pocketsphinx-en-us", message, StringComparison.Ordinal);
        Assert.Empty(events.Transcripts);
    }

    [Fact]
    public async Task BadOption_IsAFatalErrorNamingTheOption()
    {
        var events = new TranscriptRecorder();
        await using var recognizer = new PocketsphinxRecognizer(LocalStt.DentalGrammar, new PocketsphinxOptions { BandFillDb = 10 }, runInline: true);

        await recognizer.StartAsync(events, CancellationToken.None);

        Assert.Contains("BandFillDb", Assert.Single(events.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Confidence_IsLogisticAroundTheMidpoint()
    {
        var options = new PocketsphinxOptions();

        Assert.Equal(0.5, PocketsphinxRecognizer.Confidence(options.ConfidenceMidpoint, options), 6);
        Assert.InRange(PocketsphinxRecognizer.Confidence(-55, options), 0.94, 0.96);
        Assert.InRange(PocketsphinxRecognizer.Confidence(-70, options), 0.11, 0.13);
        Assert.Equal(0, PocketsphinxRecognizer.Confidence(double.NegativeInfinity, options));
    }

    private static short[] Speech(string text)
    {
        var mulaw = new EspeakSynthesizer().SynthesizeMuLaw(text);
        var pcm = new short[mulaw.Length + 4000];
        G711.MuLawDecode(mulaw, pcm.AsSpan(2000, mulaw.Length));
        return pcm;
    }

    private static void Send(PocketsphinxRecognizer recognizer, short[] pcm8k)
    {
        foreach (var frame in LocalStt.Frames(pcm8k))
        {
            recognizer.SendAudio(frame);
        }
    }
}
