namespace VoiceBridge.Media;

/// <summary>A key found in audio: its digit and the span of its tones, in samples at the call rate.</summary>
/// <param name="DetectedAt">When a carrier's detector would know the key: the tone's start plus the minimum duration.</param>
public readonly record struct DtmfTonePress(char Digit, long Start, long End, long DetectedAt);

/// <summary>
/// Finds DTMF key presses (in-band tones) in 8 kHz audio, as a carrier's media server does before it
/// signals them out of band (Twilio's <c>dtmf</c> messages, RFC 4733 events). Goertzel filters at the
/// eight frequencies over 205-sample windows (25.6 ms, 39 Hz bins: the closest pair of DTMF
/// frequencies is two bins apart) every 5 ms, with ITU-T Q.24-style checks on each window: one
/// frequency of each group present, each at least <see cref="MinToneAmplitude"/>, each at least
/// <see cref="DominanceDb"/> over the others of its group, the twist within
/// <see cref="MaxLowLouderDb"/> (low group louder) and <see cref="MaxHighLouderDb"/> (high group
/// louder), and the two tones holding at least <see cref="MinToneShare"/> of the window's energy
/// (speech and noise spread theirs). A key is one press however long it is held: a run of windows
/// with the same key lasting at least <see cref="MinDurationMs"/> (Q.24 asks that 40 ms be accepted;
/// tones of about 23 ms and less are not), ended by a different key or a pause.
/// Frequencies within about 1 % of nominal are recognised.
/// </summary>
public static class DtmfToneDetector
{
    /// <summary>Shortest tone taken as a key [40 ms].</summary>
    public const int MinDurationMs = 40;

    /// <summary>Quietest tone of a pair, as a fraction of full scale (about -34 dBFS).</summary>
    public const double MinToneAmplitude = 0.02;

    /// <summary>How far the chosen frequency of a group stands over the next one of that group.</summary>
    public const double DominanceDb = 8;

    /// <summary>Most the low group may be louder than the high group (reverse twist).</summary>
    public const double MaxLowLouderDb = 8;

    /// <summary>Most the high group may be louder than the low group (standard twist).</summary>
    public const double MaxHighLouderDb = 4;

    /// <summary>Share of the window's energy the two tones must hold.</summary>
    public const double MinToneShare = 0.7;

    private const int Window = 205;
    private const int Hop = 40;

    /// <summary>Windows not showing the key that end a press (15 ms).</summary>
    private const int EndAfterMisses = 3;

    private static readonly double[] Low = [697, 770, 852, 941];
    private static readonly double[] High = [1209, 1336, 1477, 1633];
    private static readonly string[] Keys = ["123A", "456B", "789C", "*0#D"];

    /// <summary>Every key pressed in <paramref name="samples"/> (8 kHz, 16-bit), in order.</summary>
    public static IReadOnlyList<DtmfTonePress> Detect(ReadOnlySpan<short> samples)
    {
        var presses = new List<DtmfTonePress>();
        var minSamples = CallClock.MsToSamples(MinDurationMs);
        char current = '\0';
        long start = 0, end = 0;
        var misses = 0;
        void Close()
        {
            if (current != '\0' && end - start >= minSamples)
            {
                presses.Add(new DtmfTonePress(current, start, end, start + minSamples));
            }

            current = '\0';
        }

        for (var at = 0; at + Window <= samples.Length; at += Hop)
        {
            var key = KeyIn(samples.Slice(at, Window));
            if (key != '\0' && key == current)
            {
                end = at + Window;
                misses = 0;
                continue;
            }

            if (key != '\0')
            {
                Close();
                (current, start, end, misses) = (key, at, at + Window, 0);
                continue;
            }

            if (current != '\0' && ++misses >= EndAfterMisses)
            {
                Close();
            }
        }

        Close();
        return presses;
    }

    /// <summary>The key one window shows, or '\0'.</summary>
    private static char KeyIn(ReadOnlySpan<short> window)
    {
        double energy = 0;
        foreach (var s in window)
        {
            energy += (double)s * s;
        }

        var minEnergy = ToneEnergy(MinToneAmplitude * 32768);
        if (energy < 2 * minEnergy)
        {
            return '\0';
        }

        Span<double> low = stackalloc double[4];
        Span<double> high = stackalloc double[4];
        for (var i = 0; i < 4; i++)
        {
            low[i] = Goertzel(window, Low[i]);
            high[i] = Goertzel(window, High[i]);
        }

        var (row, rowEnergy, rowNext) = Strongest(low);
        var (column, columnEnergy, columnNext) = Strongest(high);
        var twistDb = Db(rowEnergy / columnEnergy);
        var present = rowEnergy >= minEnergy && columnEnergy >= minEnergy;
        var dominant = Db(rowEnergy / rowNext) >= DominanceDb && Db(columnEnergy / columnNext) >= DominanceDb;
        var twistOk = twistDb <= MaxLowLouderDb && -twistDb <= MaxHighLouderDb;
        var share = (rowEnergy + columnEnergy) / energy >= MinToneShare;
        return present && dominant && twistOk && share ? Keys[row][column] : '\0';
    }

    /// <summary>The energy in the window of a tone at <paramref name="frequency"/> (a sine of amplitude A over N samples: A²N/2).</summary>
    private static double Goertzel(ReadOnlySpan<short> window, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / CallClock.SampleRate);
        double s1 = 0, s2 = 0;
        foreach (var x in window)
        {
            var s0 = x + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);

        // |X|² = (A·N/2)² for a sine of amplitude A; its energy A²N/2 is 2|X|²/N.
        return 2 * power / window.Length;
    }

    private static double ToneEnergy(double amplitude) => amplitude * amplitude * Window / 2;

    private static (int Index, double Energy, double Next) Strongest(ReadOnlySpan<double> energies)
    {
        var best = 0;
        for (var i = 1; i < energies.Length; i++)
        {
            if (energies[i] > energies[best])
            {
                best = i;
            }
        }

        var next = 1e-9;
        for (var i = 0; i < energies.Length; i++)
        {
            if (i != best)
            {
                next = Math.Max(next, energies[i]);
            }
        }

        return (best, Math.Max(energies[best], 1e-9), next);
    }

    private static double Db(double ratio) => 10 * Math.Log10(ratio);
}
