using System.Buffers.Binary;
using NAudio.Wave;

namespace VoiceBridge.Media;

/// <summary>
/// The two 4-bit ADPCM encodings of WAV files that voice recorders and older PBXs write, decoded
/// block by block to 16-bit PCM: IMA/DVI ADPCM (format tag 0x0011; per channel a 4-byte header of
/// first sample and step index, then 4-byte groups of eight nibbles, low nibble first, channels
/// interleaved group by group) and Microsoft ADPCM (tag 0x0002; per channel a predictor index, delta
/// and two first samples, then nibbles high first, channels alternating nibble by nibble, with the
/// predictor coefficients listed in the fmt chunk). The last block of a file may be short.
/// </summary>
internal sealed class AdpcmDecoder : IBlockDecoder
{
    private static readonly short[] ImaSteps =
    [
        7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66, 73, 80, 88, 97,
        107, 118, 130, 143, 157, 173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658, 724, 796,
        876, 963, 1060, 1166, 1282, 1411, 1552, 1707, 1878, 2066, 2272, 2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871,
        5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442, 11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623,
        27086, 29794, 32767,
    ];

    private static readonly sbyte[] ImaIndexChange = [-1, -1, -1, -1, 2, 4, 6, 8];

    private static readonly short[] MsAdaptation = [230, 230, 230, 230, 307, 409, 512, 614, 768, 614, 512, 409, 307, 230, 230, 230];

    private const int MaxMicrosoftDelta = int.MaxValue / 768;

    private readonly bool _ima;
    private readonly short[] _coefficients;
    private readonly int[] _imaSample;
    private readonly int[] _imaIndex;

    private AdpcmDecoder(bool ima, int channels, int blockAlign, int samplesPerBlock, short[] coefficients)
    {
        _ima = ima;
        Channels = channels;
        BlockAlign = blockAlign;
        SamplesPerBlock = samplesPerBlock;
        _coefficients = coefficients;
        _imaSample = new int[channels];
        _imaIndex = new int[channels];
    }

    public int Channels { get; }

    public string Name => _ima ? "IMA ADPCM 4-bit" : "Microsoft ADPCM 4-bit";

    public int BlockAlign { get; }

    /// <summary>Sample frames a whole block holds.</summary>
    public int SamplesPerBlock { get; }

    /// <summary>The block header's bytes: the least a block (the last one included) can hold.</summary>
    public int HeaderBytes => (_ima ? 4 : 7) * Channels;

    /// <summary>What <see cref="Create"/> takes.</summary>
    public static bool IsAdpcm(WaveFormatEncoding encoding) => encoding is WaveFormatEncoding.DviAdpcm or WaveFormatEncoding.Adpcm;

    /// <summary>The decoder for the fmt chunk of <paramref name="path"/>; every inconsistency in it is named.</summary>
    /// <exception cref="AudioFormatException">The fmt chunk does not describe a decodable ADPCM stream.</exception>
    public static AdpcmDecoder Create(string path, WaveFormat format)
    {
        var ima = format.Encoding == WaveFormatEncoding.DviAdpcm;
        var name = ima ? "IMA ADPCM" : "Microsoft ADPCM";
        if (format.BitsPerSample != 4)
        {
            throw new AudioFormatException(path, $"unsupported bit depth: {name} {format.BitsPerSample}-bit (only 4-bit is defined)");
        }

        int channels = format.Channels, blockAlign = format.BlockAlign;
        if (channels < 1 || (!ima && channels > 2))
        {
            throw new AudioFormatException(path, $"invalid format: {name} with {channels} channels ({(ima ? "at least 1" : "1 or 2")})");
        }

        // IMA: the header sample, then 8 per 4-byte group of each channel; Microsoft: 2 header samples, then 2 nibbles a byte.
        var groupBytes = ima ? 4 * channels : channels;
        var headerBytes = (ima ? 4 : 7) * channels;
        if (blockAlign <= headerBytes || (blockAlign - headerBytes) % groupBytes != 0)
        {
            throw new AudioFormatException(path, $"invalid format: {name} block align {blockAlign} does not fit {channels} channel(s) of {headerBytes / channels}-byte headers and {(ima ? "4-byte groups" : "whole bytes")}");
        }

        var maxSamples = ima ? 1 + ((blockAlign - headerBytes) / groupBytes * 8) : 2 + ((blockAlign - headerBytes) * 2 / channels);
        var extra = ExtraBytes(format);
        if (extra.Length < 2)
        {
            throw new AudioFormatException(path, $"invalid format: the {name} fmt chunk does not say how many samples a block holds");
        }

        int samplesPerBlock = BinaryPrimitives.ReadUInt16LittleEndian(extra);
        if (samplesPerBlock < (ima ? 1 : 2) || samplesPerBlock > maxSamples)
        {
            throw new AudioFormatException(path, $"invalid format: {samplesPerBlock} samples per {name} block, a {blockAlign}-byte block holds {(ima ? 1 : 2)} to {maxSamples}");
        }

        return new AdpcmDecoder(ima, channels, blockAlign, samplesPerBlock, ima ? [] : Coefficients(path, extra));
    }

    /// <summary>Sample frames in <paramref name="dataBytes"/> of blocks, the last one possibly short.</summary>
    /// <exception cref="AudioFormatException">The last block is cut inside its header.</exception>
    public long FramesIn(string path, long dataBytes)
    {
        var whole = dataBytes / BlockAlign;
        var rest = (int)(dataBytes % BlockAlign);
        if (rest > 0 && rest < HeaderBytes)
        {
            throw new AudioFormatException(path, $"truncated: the last ADPCM block holds {rest} bytes, less than its {HeaderBytes}-byte header");
        }

        return (whole * SamplesPerBlock) + (rest == 0 ? 0 : FramesInBlock(rest));
    }

    /// <summary>Decodes one block (at most <see cref="BlockAlign"/> bytes) into interleaved samples; returns its frames.</summary>
    /// <exception cref="AudioFormatException">A Microsoft ADPCM block names a predictor the fmt chunk does not list.</exception>
    public int Decode(string path, ReadOnlySpan<byte> block, Span<short> interleaved)
    {
        var frames = FramesInBlock(block.Length);
        if (_ima)
        {
            DecodeIma(block, interleaved, frames);
        }
        else
        {
            DecodeMicrosoft(path, block, interleaved, frames);
        }

        return frames;
    }

    private int FramesInBlock(int bytes) => Math.Min(
        SamplesPerBlock,
        _ima ? 1 + ((bytes - HeaderBytes) / (4 * Channels) * 8) : 2 + ((bytes - HeaderBytes) * 2 / Channels));

    private void DecodeIma(ReadOnlySpan<byte> block, Span<short> output, int frames)
    {
        var channels = Channels;
        for (var c = 0; c < channels; c++)
        {
            var header = block.Slice(4 * c, 4);
            _imaSample[c] = BinaryPrimitives.ReadInt16LittleEndian(header);
            _imaIndex[c] = Math.Clamp((int)header[2], 0, ImaSteps.Length - 1);
            output[c] = (short)_imaSample[c];
        }

        // After the headers: for each channel in turn, 4 bytes holding its next 8 samples.
        var data = block[HeaderBytes..];
        for (var frame = 1; frame < frames; frame++)
        {
            var n = frame - 1;
            var group = n / 8;
            var within = n % 8;
            for (var c = 0; c < channels; c++)
            {
                var b = data[(group * 4 * channels) + (c * 4) + (within / 2)];
                var nibble = (within & 1) == 0 ? b & 0x0F : b >> 4;
                output[(frame * channels) + c] = ImaNibble(c, nibble);
            }
        }
    }

    private short ImaNibble(int channel, int nibble)
    {
        int step = ImaSteps[_imaIndex[channel]];
        var diff = step >> 3;
        if ((nibble & 4) != 0)
        {
            diff += step;
        }

        if ((nibble & 2) != 0)
        {
            diff += step >> 1;
        }

        if ((nibble & 1) != 0)
        {
            diff += step >> 2;
        }

        var sample = Math.Clamp(_imaSample[channel] + ((nibble & 8) != 0 ? -diff : diff), short.MinValue, short.MaxValue);
        _imaSample[channel] = sample;
        _imaIndex[channel] = Math.Clamp(_imaIndex[channel] + ImaIndexChange[nibble & 7], 0, ImaSteps.Length - 1);
        return (short)sample;
    }

    private void DecodeMicrosoft(string path, ReadOnlySpan<byte> block, Span<short> output, int frames)
    {
        var channels = Channels;
        Span<int> coef1 = stackalloc int[channels];
        Span<int> coef2 = stackalloc int[channels];
        Span<int> delta = stackalloc int[channels];
        Span<int> sample1 = stackalloc int[channels];
        Span<int> sample2 = stackalloc int[channels];
        for (var c = 0; c < channels; c++)
        {
            int predictor = block[c];
            if (predictor >= _coefficients.Length / 2)
            {
                throw new AudioFormatException(path, $"invalid Microsoft ADPCM block: predictor {predictor}, the fmt chunk lists {_coefficients.Length / 2}");
            }

            coef1[c] = _coefficients[2 * predictor];
            coef2[c] = _coefficients[(2 * predictor) + 1];
            delta[c] = BinaryPrimitives.ReadInt16LittleEndian(block[(channels + (2 * c))..]);
            sample1[c] = BinaryPrimitives.ReadInt16LittleEndian(block[((3 * channels) + (2 * c))..]);
            sample2[c] = BinaryPrimitives.ReadInt16LittleEndian(block[((5 * channels) + (2 * c))..]);
            output[c] = (short)sample2[c];
            output[channels + c] = (short)sample1[c];
        }

        // Two nibbles a byte, high first; with two channels the nibbles alternate left, right.
        var data = block[HeaderBytes..];
        for (var i = 0; i < (frames - 2) * channels; i++)
        {
            var c = i % channels;
            var b = data[i / 2];
            var nibble = (i & 1) == 0 ? b >> 4 : b & 0x0F;
            var predicted = (((long)sample1[c] * coef1[c]) + ((long)sample2[c] * coef2[c])) >> 8;
            var signed = nibble >= 8 ? nibble - 16 : nibble;
            var sample = (int)Math.Clamp(predicted + ((long)signed * delta[c]), short.MinValue, short.MaxValue);
            sample2[c] = sample1[c];
            sample1[c] = sample;
            // A hostile block can keep raising the delta: capped where the next adaptation still fits an int.
            delta[c] = Math.Clamp(MsAdaptation[nibble] * delta[c] >> 8, 16, MaxMicrosoftDelta);
            output[(2 * channels) + i] = (short)sample;
        }
    }

    /// <summary>The fmt chunk's bytes after cbSize (NAudio reads them as extra data; a cbSize it read as negative gives none).</summary>
    private static byte[] ExtraBytes(WaveFormat format) =>
        format is WaveFormatExtraData withExtra ? withExtra.ExtraData.AsSpan(0, Math.Clamp((int)withExtra.ExtraSize, 0, withExtra.ExtraData.Length)).ToArray() : [];

    private static short[] Coefficients(string path, ReadOnlySpan<byte> extra)
    {
        int count = extra.Length >= 4 ? BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]) : 0;
        if (count == 0 || extra.Length < 4 + (4 * count))
        {
            throw new AudioFormatException(path, $"invalid format: the Microsoft ADPCM fmt chunk lists {count} predictor coefficient pairs in {Math.Max(0, extra.Length - 4)} bytes");
        }

        var coefficients = new short[2 * count];
        for (var i = 0; i < coefficients.Length; i++)
        {
            coefficients[i] = BinaryPrimitives.ReadInt16LittleEndian(extra[(4 + (2 * i))..]);
        }

        return coefficients;
    }
}
