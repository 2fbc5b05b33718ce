using System.Diagnostics;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Engines.Cascade.Local;

/// <summary>Shared pieces of the local speech-to-text tests: the dental grammar and recognition of whole recordings.</summary>
internal static class LocalStt
{
    private static readonly Lazy<JsgfGrammar> Dental = new(() => JsgfGrammar.Build(DentalDomain.Phrases, new PocketsphinxOptions()));

    /// <summary>The Bright Smile Dental grammar (built once; the domain phrases, never the fixtures' sidecars).</summary>
    public static JsgfGrammar DentalGrammar => Dental.Value;

    /// <summary>8 kHz PCM as the 160-byte mu-law frames a call carries (the last one may be short).</summary>
    public static IEnumerable<byte[]> Frames(ReadOnlyMemory<short> pcm8k)
    {
        for (int offset = 0; offset < pcm8k.Length; offset += CallClock.FrameSamples)
        {
            var samples = pcm8k.Span.Slice(offset, Math.Min(CallClock.FrameSamples, pcm8k.Length - offset));
            var frame = new byte[samples.Length];
            G711.MuLawEncode(samples, frame);
            yield return frame;
        }
    }

    /// <summary>
    /// Plays a recording through an inline recogniser as the cascade engine would: every frame goes in,
    /// and each utterance our VAD finds ends 300 ms (the cascade's silence window) after its last voiced frame.
    /// Returns each final transcript with the time its decode took.
    /// </summary>
    public static async Task<IReadOnlyList<(SpeechTranscript Transcript, TimeSpan Decode)>> RecogniseAsync(short[] pcm8k, PocketsphinxOptions? options = null)
    {
        var events = new TranscriptRecorder();
        var results = new List<(SpeechTranscript, TimeSpan)>();
        await using var recognizer = new PocketsphinxRecognizer(DentalGrammar, options, runInline: true);
        await recognizer.StartAsync(events, CancellationToken.None);
        Assert.Empty(events.Errors);
        int position = 0;
        foreach (var (_, end) in EnergyVad.FindSegments(pcm8k, new VadOptions()))
        {
            int stop = (int)Math.Min(pcm8k.Length, end + CallClock.MsToSamples(300));
            foreach (var frame in Frames(pcm8k.AsMemory(position, stop - position)))
            {
                recognizer.SendAudio(frame);
            }

            position = stop;
            var clock = Stopwatch.StartNew();
            recognizer.EndOfUtterance();
            var decode = clock.Elapsed;
            results.Add((Assert.Single(events.Transcripts), decode));
            events.Transcripts.Clear();
        }

        return results;
    }

    /// <summary>The media fixture's samples (8 kHz) and its sidecar lines.</summary>
    public static (short[] Samples, string[] Lines) Fixture(string name) =>
        (WavLoader.Load(RepoPaths.Fixture($"{name}.wav")).Samples, File.ReadAllLines(RepoPaths.Fixture($"{name}.txt")));
}

/// <summary>Records what a speech-to-text stage reports.</summary>
internal sealed class TranscriptRecorder : ISpeechToTextEvents
{
    public List<SpeechTranscript> Transcripts { get; } = [];

    public List<(string Message, bool Fatal)> Errors { get; } = [];

    public ValueTask OnTranscriptAsync(SpeechTranscript transcript)
    {
        Transcripts.Add(transcript);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnErrorAsync(string message, bool fatal)
    {
        Errors.Add((message, fatal));
        return ValueTask.CompletedTask;
    }
}
