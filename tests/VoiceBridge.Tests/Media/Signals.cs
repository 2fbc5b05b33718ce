namespace VoiceBridge.Tests.Media;

/// <summary>Deterministic test signals and level measurements.</summary>
internal static class Signals
{
    public const double FullScale = 32768.0;

    /// <summary>Amplitude of a sine whose level (mean power relative to full-scale DC) is <paramref name="dbfs"/>.</summary>
    public static double SineAmplitude(double dbfs) => FullScale * Math.Sqrt(2) * Math.Pow(10, dbfs / 20);

    public static short[] Tone(double frequency, int sampleRate, int count, double amplitude)
    {
        var samples = new short[count];
        AddTone(samples, frequency, sampleRate, amplitude);
        return samples;
    }

    public static void AddTone(Span<short> target, double frequency, int sampleRate, double amplitude)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] = Saturate(target[i] + (amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate)));
        }
    }

    /// <summary>Goertzel power of <paramref name="hz"/> in 8 kHz samples (compare frequencies with it, not levels).</summary>
    public static double TonePower(ReadOnlySpan<short> samples, double hz)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * hz / 8000);
        double s1 = 0, s2 = 0;
        foreach (var sample in samples)
        {
            var s0 = sample + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
    }

    /// <summary>Adds Gaussian noise at <paramref name="dbfs"/> from a fixed seed.</summary>
    public static void AddNoise(Span<short> target, double dbfs, int seed)
    {
        var random = new Random(seed);
        double sigma = FullScale * Math.Pow(10, dbfs / 20);
        for (int i = 0; i < target.Length; i++)
        {
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            target[i] = Saturate(target[i] + (sigma * gaussian));
        }
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    public static double Db(double ratio) => 20 * Math.Log10(ratio);

    /// <summary>Amplitude of the <paramref name="frequency"/> component (Goertzel over the whole span).</summary>
    public static double AmplitudeAt(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double previous = 0;
        double beforePrevious = 0;
        foreach (short s in samples)
        {
            double current = s + (coefficient * previous) - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }

        double power = (previous * previous) + (beforePrevious * beforePrevious) - (coefficient * previous * beforePrevious);
        return 2 * Math.Sqrt(Math.Max(0, power)) / samples.Length;
    }

    private static short Saturate(double value) => (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
}
