using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>Caller speech from the media fixtures, as the 20 ms mu-law frames a call carries.</summary>
internal static class FixtureSpeech
{
    /// <summary>The first utterance of booking-ulaw8k.wav (manifest: 0.500-2.773 s).</summary>
    public const string BookingFirstUtterance = "Hello, I would like to book an appointment.";

    /// <summary>The start of booking-ulaw8k.wav up to <paramref name="seconds"/>, in 160-byte frames.</summary>
    public static IReadOnlyList<byte[]> BookingFrames(double seconds)
    {
        var pcm = WavLoader.Load(RepoPaths.Fixture("booking-ulaw8k.wav")).Samples;
        var samples = (int)Math.Min(pcm.Length, seconds * CallClock.SampleRate);
        var frames = new List<byte[]>();
        for (var offset = 0; offset + CallClock.FrameSamples <= samples; offset += CallClock.FrameSamples)
        {
            var frame = new byte[CallClock.FrameSamples];
            G711.MuLawEncode(pcm.AsSpan(offset, CallClock.FrameSamples), frame);
            frames.Add(frame);
        }

        return frames;
    }
}
