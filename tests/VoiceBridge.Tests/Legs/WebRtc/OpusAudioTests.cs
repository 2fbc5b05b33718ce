using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Media;
using VoiceBridge.Tests.Media;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>The Opus path: mu-law 8 kHz to Opus 48 kHz and back, judged by frequency and energy rather than bits.</summary>
public sealed class OpusAudioTests(ITestOutputHelper output)
{
    private const int Frame = OpusAudio.FrameSamples8k;

    // A 20 ms frame at about -50 dBFS RMS: 160 * 100^2.
    private static readonly double SpeechFrameDb = 10 * Math.Log10(Frame * 100.0 * 100.0);

    [Fact]
    public void A_1khz_tone_keeps_its_frequency_and_energy()
    {
        short[] tone = Tone(1000, 8000, Frame * 50);
        short[] decoded = RoundTrip(new OpusAudio(), tone);

        // Judge the steady part: skip the codec and resampler start-up (a few frames).
        short[] steady = decoded[(Frame * 10)..];
        double at1k = Signals.TonePower(steady, 1000);
        double strongestOther = new[] { 300.0, 600, 1500, 2000, 2500, 3000 }.Max(f => Signals.TonePower(steady, f));
        double gainDb = 20 * Math.Log10(Rms(steady) / Rms(tone.AsSpan(Frame * 10)));
        output.WriteLine($"1 kHz power {at1k:E2}, strongest other {strongestOther:E2}, gain {gainDb:F2} dB");

        Assert.True(at1k > 1000 * strongestOther, $"1 kHz is not dominant: {at1k:E2} vs {strongestOther:E2}");
        Assert.InRange(gainDb, -2, 2);
    }

    [Fact]
    public void Speech_round_trips_with_bounded_error()
    {
        short[] speech = WavLoader.Load(RepoPaths.Fixture("booking-ulaw8k.wav")).Samples;
        int frames = speech.Length / Frame;
        short[] input = speech.AsSpan(0, frames * Frame).ToArray();
        short[] decoded = RoundTrip(new OpusAudio(), input);

        int delay = BestLag(input, decoded, maxLag: 200);
        // Compare loudness contours over the frames that hold speech (silence is only dither in dB).
        double[] inEnergy = FrameEnergiesDb(input, 0);
        double[] outEnergy = FrameEnergiesDb(decoded, delay);
        int[] speechFrames = Enumerable.Range(0, outEnergy.Length).Where(f => inEnergy[f] > SpeechFrameDb).ToArray();
        double correlation = Correlation(speechFrames.Select(f => inEnergy[f]).ToArray(), speechFrames.Select(f => outEnergy[f]).ToArray());
        double snr = SnrDb(input, decoded, delay);
        double gainDb = 10 * Math.Log10(Energy(decoded.AsSpan(delay)) / Energy(input.AsSpan(0, input.Length - delay)));
        output.WriteLine($"{speechFrames.Length} speech frames of {outEnergy.Length}");
        output.WriteLine($"delay {delay} samples, frame-energy correlation {correlation:F3}, waveform SNR {snr:F1} dB, gain {gainDb:F2} dB");

        Assert.InRange(delay, 1, 200);
        Assert.True(correlation > 0.95, $"frame energies correlate only {correlation:F3}");
        Assert.True(snr > 5, $"waveform SNR {snr:F1} dB");
        Assert.InRange(gainDb, -1.5, 1.5);
    }

    internal static short[] RoundTrip(OpusAudio codec, short[] pcm)
    {
        var mulaw = new byte[pcm.Length];
        G711.MuLawEncode(pcm, mulaw);
        var result = new byte[pcm.Length];
        var packet = new byte[OpusAudio.MaxPacketBytes];
        for (int at = 0; at + Frame <= mulaw.Length; at += Frame)
        {
            int length = codec.Encode(mulaw.AsSpan(at, Frame), packet);
            Assert.True(codec.TryDecode(packet.AsSpan(0, length), result.AsSpan(at, Frame), out _));
        }

        var decoded = new short[result.Length];
        G711.MuLawDecode(result, decoded);
        return decoded;
    }

    internal static short[] Tone(double hz, double amplitude, int count)
    {
        var samples = new short[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = (short)(amplitude * Math.Sin(2 * Math.PI * hz * i / 8000));
        }

        return samples;
    }

    internal static double Rms(ReadOnlySpan<short> samples) => Math.Sqrt(Energy(samples) / samples.Length);

    private static double Energy(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return sum;
    }

    private static int BestLag(short[] reference, short[] delayed, int maxLag)
    {
        int best = 0;
        double bestScore = double.MinValue;
        for (int lag = 0; lag <= maxLag; lag++)
        {
            double score = 0;
            for (int i = 0; i + lag < delayed.Length; i++)
            {
                score += (double)reference[i] * delayed[i + lag];
            }

            if (score > bestScore)
            {
                bestScore = score;
                best = lag;
            }
        }

        return best;
    }

    private static double[] FrameEnergiesDb(short[] samples, int offset)
    {
        var energies = new double[(samples.Length - offset) / Frame];
        for (int f = 0; f < energies.Length; f++)
        {
            energies[f] = 10 * Math.Log10(1 + Energy(samples.AsSpan(offset + (f * Frame), Frame)));
        }

        return energies;
    }

    private static double Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double meanA = 0, meanB = 0;
        for (int i = 0; i < a.Length; i++)
        {
            meanA += a[i] / a.Length;
            meanB += b[i] / b.Length;
        }

        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (a[i] - meanA) * (b[i] - meanB);
            aa += (a[i] - meanA) * (a[i] - meanA);
            bb += (b[i] - meanB) * (b[i] - meanB);
        }

        return ab / Math.Sqrt(aa * bb);
    }

    private static double SnrDb(short[] reference, short[] delayed, int lag)
    {
        double signal = 0, noise = 0;
        for (int i = 0; i + lag < delayed.Length; i++)
        {
            double error = delayed[i + lag] - reference[i];
            signal += (double)reference[i] * reference[i];
            noise += error * error;
        }

        return 10 * Math.Log10(signal / noise);
    }
}
