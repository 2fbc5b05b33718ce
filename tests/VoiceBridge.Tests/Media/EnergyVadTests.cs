using VoiceBridge.Tests.Support;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

public sealed class EnergyVadTests
{
    private const int Rate = 8000;
    private const int Frame = 160;
    private static readonly VadOptions Defaults = new();

    [Fact]
    public void CleanBurstsAreFoundWithFrameAccurateBoundaries()
    {
        var pcm = new short[Rate * 5];
        AddBurst(pcm, 8000, 14400, -15);
        AddBurst(pcm, 24080, 28000, -20);

        var segments = EnergyVad.FindSegments(pcm, Defaults);

        Assert.Equal(2, segments.Count);
        AssertSegment(segments[0], 8000, 14400);
        AssertSegment(segments[1], 24080, 28000);
    }

    [Fact]
    public void BurstsOverANoiseBedAreFound()
    {
        var pcm = new short[Rate * 6];
        Signals.AddNoise(pcm, -35, seed: 11);
        AddNoiseBurst(pcm, 8000, 16000, -15, seed: 12);
        AddBurst(pcm, 24000, 30400, -15);
        AddNoiseBurst(pcm, 38000, 42000, -15, seed: 13);

        var segments = EnergyVad.FindSegments(pcm, Defaults);

        Assert.Equal(3, segments.Count);
        AssertSegment(segments[0], 8000, 16000);
        AssertSegment(segments[1], 24000, 30400);
        AssertSegment(segments[2], 38000, 42000);
    }

    [Fact]
    public void BurstsAtFifteenDecibelsSnrAreFound()
    {
        var pcm = new short[Rate * 5];
        Signals.AddNoise(pcm, -30, seed: 21);
        AddNoiseBurst(pcm, 8000, 16000, -15, seed: 22);
        AddBurst(pcm, 24000, 32000, -15);

        var segments = EnergyVad.FindSegments(pcm, Defaults);

        Assert.Equal(2, segments.Count);
        AssertSegment(segments[0], 8000, 16000);
        AssertSegment(segments[1], 24000, 32000);
    }

    [Fact]
    public void WordsSeparatedByShortPausesStayOneSegment()
    {
        var pcm = new short[Rate * 4];
        Signals.AddNoise(pcm, -55, seed: 5);
        AddBurst(pcm, 8000, 10400, -18);
        AddBurst(pcm, 12000, 14000, -18);
        AddBurst(pcm, 17000, 20000, -18);

        var segments = EnergyVad.FindSegments(pcm, Defaults);

        AssertSegment(Assert.Single(segments), 8000, 20000);
    }

    [Fact]
    public void ARecordingThatOpensWithSpeechStartsAtZero()
    {
        var pcm = new short[Rate * 3];
        AddBurst(pcm, 0, 6400, -15);

        AssertSegment(Assert.Single(EnergyVad.FindSegments(pcm, Defaults)), 0, 6400);
    }

    [Fact]
    public void SpeechStillOpenAtTheEndClosesAtTheLastVoicedFrame()
    {
        var pcm = new short[Rate * 2];
        AddBurst(pcm, 8000, 16000, -15);

        AssertSegment(Assert.Single(EnergyVad.FindSegments(pcm, Defaults)), 8000, 16000);
    }

    [Fact]
    public void StreamingEventsCarryRunStartAndSpeechEnd()
    {
        var pcm = new short[Rate * 3];
        AddBurst(pcm, 4000, 8000, -15);
        var vad = new EnergyVad(Defaults);
        var events = new List<(int FrameEnd, VadEvent Event)>();
        long offset = 1_000_000;

        for (int position = 0; position < pcm.Length; position += Frame)
        {
            var vadEvent = vad.Process(pcm.AsSpan(position, Frame), offset + position);
            if (vadEvent.Kind != VadEventKind.None)
            {
                events.Add((position + Frame, vadEvent));
            }
        }

        Assert.Equal(2, events.Count);
        Assert.Equal(new VadEvent(VadEventKind.SpeechStarted, offset + 4000), events[0].Event);
        Assert.Equal(4000 + CallClock.MsToSamples(Defaults.MinSpeechMs), events[0].FrameEnd);
        Assert.Equal(new VadEvent(VadEventKind.SpeechStopped, offset + 8000), events[1].Event);
        Assert.Equal(8000 + CallClock.MsToSamples(Defaults.SilenceMs), events[1].FrameEnd);
        Assert.False(vad.InSpeech);
    }

    [Fact]
    public void DigitalSilenceNeverStartsSpeech()
    {
        var vad = new EnergyVad(Defaults);
        var silence = new short[Frame];

        for (long position = 0; position < Rate * 10; position += Frame)
        {
            Assert.Equal(VadEventKind.None, vad.Process(silence, position).Kind);
        }

        Assert.False(vad.InSpeech);
    }

    [Fact]
    public void AClickShorterThanMinSpeechIsIgnored()
    {
        var pcm = new short[Rate * 2];
        AddBurst(pcm, 8000, 8000 + Frame, -10);

        Assert.Empty(EnergyVad.FindSegments(pcm, Defaults));
    }

    [Fact]
    public void QuietSoundBelowTheAbsoluteThresholdIsNotSpeech()
    {
        var pcm = new short[Rate * 3];
        AddBurst(pcm, 8000, 16000, -55);

        Assert.Empty(EnergyVad.FindSegments(pcm, Defaults));
    }

    [Fact]
    public void ProcessDoesNotAllocate()
    {
        var vad = new EnergyVad(Defaults);
        var frame = Signals.Tone(300, Rate, Frame, 8000);
        vad.Process(frame, 0);

        var position = 0L;
        Assert.Equal(0, Allocations.Of(() =>
        {
            for (int i = 1; i < 100; i++)
            {
                vad.Process(frame, position += Frame);
            }
        }));
    }

    private static void AddBurst(short[] pcm, int start, int end, double dbfs) =>
        Signals.AddTone(pcm.AsSpan(start, end - start), 440, Rate, Signals.SineAmplitude(dbfs));

    private static void AddNoiseBurst(short[] pcm, int start, int end, double dbfs, int seed) =>
        Signals.AddNoise(pcm.AsSpan(start, end - start), dbfs, seed);

    private static void AssertSegment((long Start, long End) segment, long start, long end)
    {
        Assert.InRange(segment.Start, start - Frame, start + Frame);
        Assert.InRange(segment.End, end - Frame, end + Frame);
    }
}
