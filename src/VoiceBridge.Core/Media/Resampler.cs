using System.Numerics;

namespace VoiceBridge.Media;

/// <summary>
/// Streaming sample-rate converter for 16-bit mono PCM: a polyphase windowed-sinc (Kaiser) FIR for the
/// reduced ratio up/down. Its low-pass cuts at 0.46 of the lower rate (3.68 kHz for 8 kHz: flat to
/// about 3.4 kHz, at least 70 dB down from about 3.95 kHz), so it both removes images when
/// upsampling and prevents aliasing when downsampling. State carries across <see cref="Process"/>
/// calls, so audio fed in 20 ms chunks comes out exactly as if fed in one block.
/// </summary>
public sealed class Resampler
{
    private const double CutoffRatio = 0.46;
    private const double KaiserBeta = 6.76;
    private const int LowRateTaps = 64;
    private const int BlockSize = 1024;
    private const long MaxCoefficients = 1 << 21;

    private readonly int _up;
    private readonly int _down;
    private readonly int _taps;
    private readonly float[] _coefficients;
    private readonly float[] _work;
    private int _phase;
    private int _next;

    /// <summary>Creates a converter from <paramref name="inputRate"/> to <paramref name="outputRate"/> (Hz).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive, or the reduced ratio needs an unreasonably large filter.</exception>
    public Resampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        InputRate = inputRate;
        OutputRate = outputRate;
        int gcd = (int)BigInteger.GreatestCommonDivisor(inputRate, outputRate);
        _up = outputRate / gcd;
        _down = inputRate / gcd;
        if (inputRate == outputRate)
        {
            _taps = 1;
            _coefficients = [1f];
        }
        else
        {
            int lowRate = Math.Min(inputRate, outputRate);
            DelaySamplesOut = (int)Math.Ceiling(LowRateTaps * (double)outputRate / (2.0 * lowRate));
            long length = (2L * DelaySamplesOut * _down) + 1;
            if ((long)_up * ((length + _up - 1) / _up) > MaxCoefficients)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(inputRate), $"Cannot resample {inputRate} Hz to {outputRate} Hz: the rate ratio {_down}:{_up} is too fine.");
            }

            _taps = (int)((length + _up - 1) / _up);
            _coefficients = DesignPolyphase(_up, _taps, (int)length, CutoffRatio * lowRate / ((double)inputRate * _up));
        }

        _work = new float[_taps - 1 + BlockSize];
    }

    /// <summary>Input sample rate in Hz.</summary>
    public int InputRate { get; }

    /// <summary>Output sample rate in Hz.</summary>
    public int OutputRate { get; }

    /// <summary>
    /// Group delay in output samples: an event at input time t appears at output index
    /// t * OutputRate / InputRate + DelaySamplesOut (the filter is linear-phase, so every frequency is delayed alike).
    /// It lasts 32 samples of the lower rate (4 ms when either side is 8 kHz); 0 when the rates are equal.
    /// </summary>
    public int DelaySamplesOut { get; }

    /// <summary>The most samples one <see cref="Process"/> call can write for <paramref name="inputCount"/> input samples.</summary>
    public int MaxOutputFor(int inputCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputCount);
        return (int)((((long)inputCount * _up) + _down - 1) / _down);
    }

    /// <summary>
    /// Feeds <paramref name="input"/> and writes every output sample it completes; returns how many.
    /// <paramref name="output"/> must hold at least <see cref="MaxOutputFor"/>(input.Length) samples. Does not allocate.
    /// </summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, MaxOutputFor(input.Length), nameof(output));
        int written = 0;
        while (!input.IsEmpty)
        {
            int count = Math.Min(input.Length, BlockSize);
            var block = _work.AsSpan(_taps - 1, count);
            for (int i = 0; i < count; i++)
            {
                block[i] = input[i];
            }

            written += FilterBlock(count, output[written..]);
            _work.AsSpan(count, _taps - 1).CopyTo(_work);
            input = input[count..];
        }

        return written;
    }

    // _work holds the last (_taps - 1) input samples followed by the current block; input sample j of the
    // block sits at _work[_taps - 1 + j]. _next is the block index of the newest input the next output uses.
    private int FilterBlock(int count, Span<short> output)
    {
        int written = 0;
        while (_next < count)
        {
            float value = Dot(_work.AsSpan(_next, _taps), _coefficients.AsSpan(_phase * _taps, _taps));
            output[written++] = (short)Math.Clamp(MathF.Round(value), short.MinValue, short.MaxValue);
            _phase += _down;
            _next += _phase / _up;
            _phase %= _up;
        }

        _next -= count;
        return written;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
            }

            sum = Vector.Sum(acc);
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    // Prototype low-pass h[t] (t < length, at the rate inputRate * up, gain up) split into `up` phases of `taps`
    // coefficients. Phase p's tap for input x[i - k] is h[p + k * up]; it is stored reversed so the newest
    // input meets the last coefficient and each output is one contiguous dot product.
    private static float[] DesignPolyphase(int up, int taps, int length, double cutoff)
    {
        var coefficients = new float[up * taps];
        double center = (length - 1) / 2.0;
        double windowNorm = BesselI0(KaiserBeta);
        for (int t = 0; t < length; t++)
        {
            double offset = t - center;
            double x = 2 * cutoff * offset;
            double sinc = offset == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
            double ratio = offset / center;
            double window = BesselI0(KaiserBeta * Math.Sqrt(1 - (ratio * ratio))) / windowNorm;
            int phase = t % up;
            int k = t / up;
            coefficients[(phase * taps) + (taps - 1 - k)] = (float)(up * 2 * cutoff * sinc * window);
        }

        return coefficients;
    }

    private static double BesselI0(double x)
    {
        double sum = 1;
        double term = 1;
        double halfX = x / 2;
        for (int k = 1; term > sum * 1e-12; k++)
        {
            term *= halfX / k * (halfX / k);
            sum += term;
        }

        return sum;
    }
}
