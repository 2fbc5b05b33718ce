using System.Buffers.Binary;

namespace VoiceBridge.Media;

/// <summary>How a WAV, AIFF or AU file stores its uncompressed samples.</summary>
internal enum SampleCoding
{
    /// <summary>8-bit PCM with 128 as zero: WAV's, the only unsigned one.</summary>
    UnsignedPcm,
    PcmLittleEndian,
    PcmBigEndian,
    FloatLittleEndian,
    FloatBigEndian,
    MuLaw,
    ALaw,
}

/// <summary>Frames of interleaved uncompressed samples read from a stream into the call's stream, channel by <see cref="WavLoader.ChannelPicker"/>.</summary>
internal static class InterleavedSamples
{
    private const int FramesPerRead = 4096;

    /// <summary>Reads <paramref name="frames"/> frames from the stream's position (the caller has checked they are there).</summary>
    public static (short[] Samples, string Choice) Decode(
        string path, Stream stream, SampleCoding coding, int sampleBytes, int channels, int rate, long frames, ChannelSelection channel)
    {
        var frameBytes = sampleBytes * channels;
        var picker = new WavLoader.ChannelPicker(path, channel, channels, rate, frames, FramesPerRead);
        var bytes = new byte[FramesPerRead * frameBytes];
        var values = new double[FramesPerRead * channels];
        for (var left = frames; left > 0;)
        {
            var count = (int)Math.Min(FramesPerRead, left);
            stream.ReadExactly(bytes, 0, count * frameBytes);
            for (var i = 0; i < count * channels; i++)
            {
                values[i] = Sample(bytes.AsSpan(i * sampleBytes, sampleBytes), coding);
            }

            picker.Add(values, count);
            left -= count;
        }

        return picker.Finish();
    }

    /// <summary>One sample scaled to the 16-bit range (the picker rounds and clamps it).</summary>
    private static double Sample(ReadOnlySpan<byte> b, SampleCoding coding) => (coding, b.Length) switch
    {
        (SampleCoding.UnsignedPcm, _) => (b[0] - 128) * 256.0,
        (SampleCoding.MuLaw, _) => G711.MuLawToLinear(b[0]),
        (SampleCoding.ALaw, _) => G711.ALawToLinear(b[0]),
        (SampleCoding.PcmBigEndian or SampleCoding.PcmLittleEndian, 1) => (sbyte)b[0] * 256.0,
        (SampleCoding.PcmBigEndian, 2) => BinaryPrimitives.ReadInt16BigEndian(b),
        (SampleCoding.PcmLittleEndian, 2) => BinaryPrimitives.ReadInt16LittleEndian(b),
        (SampleCoding.PcmBigEndian, 3) => (((b[0] << 24) | (b[1] << 16) | (b[2] << 8)) >> 8) / 256.0,
        (SampleCoding.PcmLittleEndian, 3) => (((b[2] << 24) | (b[1] << 16) | (b[0] << 8)) >> 8) / 256.0,
        (SampleCoding.PcmBigEndian, _) => BinaryPrimitives.ReadInt32BigEndian(b) / 65536.0,
        (SampleCoding.PcmLittleEndian, _) => BinaryPrimitives.ReadInt32LittleEndian(b) / 65536.0,
        (SampleCoding.FloatBigEndian, 4) => BinaryPrimitives.ReadSingleBigEndian(b) * 32768.0,
        (SampleCoding.FloatBigEndian, _) => BinaryPrimitives.ReadDoubleBigEndian(b) * 32768.0,
        (SampleCoding.FloatLittleEndian, 4) => BinaryPrimitives.ReadSingleLittleEndian(b) * 32768.0,
        _ => BinaryPrimitives.ReadDoubleLittleEndian(b) * 32768.0,
    };
}
