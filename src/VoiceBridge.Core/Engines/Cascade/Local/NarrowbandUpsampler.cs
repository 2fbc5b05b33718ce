using VoiceBridge.Media;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// Turns a telephone utterance (8 kHz PCM) into what pocketsphinx's wideband model expects: 16 kHz,
/// with the empty 4-8 kHz band filled by quiet noise. Without the fill the model's upper mel filters
/// see almost nothing and the cepstra are far from anything it was trained on: names and short
/// answers are misheard (docs/local-stt.md). The noise is deterministic (fixed seed): the same audio
/// always decodes the same way.
/// </summary>
internal static class NarrowbandUpsampler
{
    private const uint NoiseSeed = 0x9E3779B9;

    /// <summary>Upsamples <paramref name="pcm8k"/> and adds band noise <paramref name="fillDb"/> relative to its speech level.</summary>
    public static short[] Upsample(ReadOnlySpan<short> pcm8k, double fillDb)
    {
        var output = Resample(pcm8k);
        double level = ActiveRms(output);
        if (level == 0)
        {
            return output;
        }

        var noise = HighBandNoise(pcm8k.Length);
        double gain = level * Math.Pow(10, fillDb / 20) / Math.Max(Rms(noise), 1);
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = (short)Math.Clamp(Math.Round(output[i] + (noise[i] * gain)), short.MinValue, short.MaxValue);
        }

        return output;
    }

    // Exactly twice as many samples, aligned with the input: the filter's delay is dropped from the
    // front and its tail flushed with silence.
    private static short[] Resample(ReadOnlySpan<short> pcm8k)
    {
        var resampler = new Resampler(CallClock.SampleRate, 16000);
        var output = new short[pcm8k.Length * 2];
        var scratch = new short[resampler.MaxOutputFor(pcm8k.Length) + resampler.DelaySamplesOut + 2];
        int produced = resampler.Process(pcm8k, scratch);
        var flush = new short[(resampler.DelaySamplesOut / 2) + 1];
        produced += resampler.Process(flush, scratch.AsSpan(produced));
        int take = Math.Min(output.Length, produced - resampler.DelaySamplesOut);
        scratch.AsSpan(resampler.DelaySamplesOut, take).CopyTo(output);
        return output;
    }

    // White noise at 8 kHz upsampled (so it lies below ~3.7 kHz), then every other sample negated:
    // that shifts its spectrum by 8 kHz, mirroring it into the 4.3-8 kHz band.
    private static short[] HighBandNoise(int samples8k)
    {
        var white = new short[samples8k];
        uint state = NoiseSeed;
        for (int i = 0; i < white.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            white[i] = (short)(((int)(state >> 16) - 32768) >> 2);
        }

        var noise = Resample(white);
        for (int i = 1; i < noise.Length; i += 2)
        {
            noise[i] = (short)-noise[i];
        }

        return noise;
    }

    // The speech level: RMS over the 20 ms blocks within 40 dB of the loudest, so the silence before
    // the caller spoke does not lower it.
    private static double ActiveRms(short[] pcm16k)
    {
        const int Block = 320;
        var blocks = new double[(pcm16k.Length + Block - 1) / Block];
        for (int b = 0; b < blocks.Length; b++)
        {
            blocks[b] = Rms(pcm16k.AsSpan(b * Block, Math.Min(Block, pcm16k.Length - (b * Block))));
        }

        double floor = (blocks.Length == 0 ? 0 : blocks.Max()) / 100;
        var active = blocks.Where(b => b > 0 && b >= floor).ToArray();
        return active.Length == 0 ? 0 : Math.Sqrt(active.Average(b => b * b));
    }

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return samples.IsEmpty ? 0 : Math.Sqrt(sum / samples.Length);
    }
}
