using System.Buffers.Binary;
using VoiceBridge.Media;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// Streams 24 kHz 16-bit little-endian mono PCM, in pieces of any size (an odd byte is carried to
/// the next piece), to 8 kHz mu-law. The resampler's group delay is dropped from the front and its
/// tail flushed by <see cref="Finish"/>, so n input samples give exactly n / 3 output samples.
/// </summary>
internal sealed class Pcm24kToMuLaw
{
    private const int InputRate = 24000;
    private const int Ratio = InputRate / CallClock.SampleRate;

    private readonly Resampler _resampler = new(InputRate, CallClock.SampleRate);
    private short[] _pcm = new short[4096];
    private short[] _resampled = new short[4096];
    private int _delayLeft;
    private long _inputSamples;
    private long _outputSamples;
    private int _carry = -1;

    public Pcm24kToMuLaw() => _delayLeft = _resampler.DelaySamplesOut;

    /// <summary>Converts the next piece of the byte stream; returns the mu-law it completes (maybe empty).</summary>
    public byte[] Convert(ReadOnlySpan<byte> pcmBytes)
    {
        var count = (pcmBytes.Length + (_carry >= 0 ? 1 : 0)) / 2;
        EnsureCapacity(count);
        var n = 0;
        if (_carry >= 0 && !pcmBytes.IsEmpty)
        {
            _pcm[n++] = (short)(_carry | (pcmBytes[0] << 8));
            pcmBytes = pcmBytes[1..];
            _carry = -1;
        }

        for (; pcmBytes.Length >= 2; pcmBytes = pcmBytes[2..])
        {
            _pcm[n++] = BinaryPrimitives.ReadInt16LittleEndian(pcmBytes);
        }

        if (pcmBytes.Length == 1)
        {
            _carry = pcmBytes[0];
        }

        _inputSamples += n;
        return Encode(_pcm.AsSpan(0, n), long.MaxValue);
    }

    /// <summary>Flushes the filter's tail; a dangling odd byte (half a sample) is dropped.</summary>
    public byte[] Finish()
    {
        var target = _inputSamples / Ratio;
        var silence = new short[(_resampler.DelaySamplesOut + 1) * Ratio];
        EnsureCapacity(silence.Length);
        return Encode(silence, target);
    }

    private byte[] Encode(ReadOnlySpan<short> input, long target)
    {
        var produced = _resampled.AsSpan(0, _resampler.Process(input, _resampled));
        var skip = Math.Min(_delayLeft, produced.Length);
        _delayLeft -= skip;
        produced = produced[skip..];
        produced = produced[..(int)Math.Min(produced.Length, Math.Max(0, target - _outputSamples))];
        _outputSamples += produced.Length;
        var mulaw = new byte[produced.Length];
        G711.MuLawEncode(produced, mulaw);
        return mulaw;
    }

    private void EnsureCapacity(int inputSamples)
    {
        if (_pcm.Length < inputSamples)
        {
            _pcm = new short[inputSamples];
        }

        var output = _resampler.MaxOutputFor(inputSamples);
        if (_resampled.Length < output)
        {
            _resampled = new short[output];
        }
    }
}
