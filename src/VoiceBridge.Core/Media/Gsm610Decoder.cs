using NAudio.Wave;

namespace VoiceBridge.Media;

/// <summary>
/// GSM 06.10 full-rate speech in a WAV file (format tag 0x31, "WAV49": what Asterisk's <c>wav49</c>
/// recordings, Windows' sound recorder and many call-centre systems write): blocks of 65 bytes, two
/// 260-bit frames of 160 samples packed least significant bit first. The decoder is the fixed-point
/// RPE-LTP decoder of ETSI EN 300 961 (GSM 06.10) section 4.3, with its saturating 16-bit arithmetic,
/// so it decodes as libgsm (sox's decoder) does, sample for sample. Headerless <c>.gsm</c> files
/// (Asterisk's <c>gsm</c> format: 33-byte frames, a 0xD signature nibble, then the same fields most
/// significant bit first) are read by <see cref="LoadRaw"/>.
/// </summary>
internal sealed class Gsm610Decoder : IBlockDecoder
{
    public const int BlockBytes = 65;

    /// <summary>A headerless frame: the 4-bit signature and 260 bits of parameters.</summary>
    public const int RawFrameBytes = 33;

    private const int FrameSamples = 160;

    private static readonly int[] LarBits = [6, 6, 5, 5, 4, 4, 3, 3];
    private static readonly short[] B = [0, 0, 2048, -2560, 94, -1792, -341, -1144];
    private static readonly short[] Mic = [-32, -32, -16, -16, -8, -8, -4, -4];
    private static readonly short[] Inva = [13107, 13107, 13107, 13107, 19223, 17476, 31454, 29708];
    private static readonly short[] Qlb = [3277, 11469, 21299, 32767];
    private static readonly short[] Fac = [18431, 20479, 22527, 24575, 26623, 28671, 30719, 32767];

    private readonly short[] _dp0 = new short[280];
    private readonly short[][] _larpp = [new short[8], new short[8]];
    private readonly short[] _v = new short[9];
    private readonly short[] _lar = new short[8];
    private readonly short[] _larp = new short[8];
    private readonly short[] _xmc = new short[13];
    private readonly short[] _erp = new short[40];
    private readonly short[] _wt = new short[FrameSamples];
    private int _j;
    private short _nrp = 40;
    private short _msr;

    public string Name => "GSM 6.10";

    public int BlockAlign => BlockBytes;

    public int SamplesPerBlock => 2 * FrameSamples;

    /// <summary>A decoder for a GSM 6.10 WAV's format: mono, 65-byte blocks of 320 samples (what every writer uses).</summary>
    /// <exception cref="AudioFormatException">Another channel count or block layout.</exception>
    public static Gsm610Decoder Create(string path, WaveFormat format)
    {
        if (format.Channels != 1)
        {
            throw new AudioFormatException(path, $"invalid format: GSM 6.10 with {format.Channels} channels (it is mono)");
        }

        if (format.BlockAlign != BlockBytes)
        {
            throw new AudioFormatException(path, $"unsupported format: GSM 6.10 in {format.BlockAlign}-byte blocks (Microsoft's {BlockBytes}-byte blocks of two frames are read)");
        }

        var extra = format is WaveFormatExtraData withExtra ? withExtra.ExtraData : [];
        if (extra.Length >= 2 && BitConverter.ToUInt16(extra, 0) is var samples && samples != 2 * FrameSamples)
        {
            throw new AudioFormatException(path, $"invalid format: {samples} samples per GSM 6.10 block, a {BlockBytes}-byte block holds {2 * FrameSamples}");
        }

        return new Gsm610Decoder();
    }

    /// <summary>Samples in the whole blocks of <paramref name="dataBytes"/> (a cut last block holds no frame to decode).</summary>
    public long FramesIn(string path, long dataBytes) => dataBytes / BlockBytes * SamplesPerBlock;

    public int Decode(string path, ReadOnlySpan<byte> block, Span<short> interleaved)
    {
        if (block.Length < BlockBytes)
        {
            return 0;
        }

        var bit = 0;
        DecodeFrame(block, ref bit, interleaved[..FrameSamples]);
        DecodeFrame(block, ref bit, interleaved.Slice(FrameSamples, FrameSamples));
        return SamplesPerBlock;
    }

    /// <summary>Reads a headerless <c>.gsm</c> file: whole 33-byte frames, each starting with the signature nibble 0xD.</summary>
    /// <exception cref="AudioFormatException">A frame without the signature, a cut last frame, or no frame at all.</exception>
    public static CallerRecording LoadRaw(string path)
    {
        var file = WavLoader.ReadWholeFile(path, WavLoader.ChannelPicker.MaxRecordingSeconds * 8000 / FrameSamples * RawFrameBytes, "a GSM file");
        if (file.Length % RawFrameBytes != 0)
        {
            throw new AudioFormatException(path, $"truncated: {file.Length} bytes are not whole {RawFrameBytes}-byte GSM frames (the last is cut after {file.Length % RawFrameBytes} bytes)");
        }

        var decoder = new Gsm610Decoder();
        var samples = new short[file.Length / RawFrameBytes * FrameSamples];
        for (var frame = 0; frame < file.Length / RawFrameBytes; frame++)
        {
            var bytes = file.AsSpan(frame * RawFrameBytes, RawFrameBytes);
            if (bytes[0] >> 4 != 0xD)
            {
                throw new AudioFormatException(path, $"not a GSM file: frame {frame + 1} (byte {frame * RawFrameBytes}) does not start with the GSM signature 0xD");
            }

            var bit = 4;
            decoder.DecodeFrame(bytes, ref bit, samples.AsSpan(frame * FrameSamples, FrameSamples), msbFirst: true);
        }

        // 8 kHz mono already: the call's stream as it is.
        return new CallerRecording(path, samples, CallClock.SampleRate, 1, "GSM 6.10 (headerless)");
    }

    private static short Saturate(int x) => (short)Math.Clamp(x, short.MinValue, short.MaxValue);

    private static short Add(int a, int b) => Saturate(a + b);

    private static short Sub(int a, int b) => Saturate(a - b);

    /// <summary>GSM_MULT_R: the rounded Q15 product, kept to 16 bits as the reference's assignment does.</summary>
    private static short MultR(int a, int b) => a == short.MinValue && b == short.MinValue ? short.MaxValue : (short)(((a * b) + 16384) >> 15);

    private static short Asr(short a, int n) => n >= 16 ? (short)-(a < 0 ? 1 : 0) : n >= 0 ? (short)(a >> n) : (short)(a << -n);

    private static short Asl(short a, int n) => n >= 16 ? (short)0 : n <= -16 ? (short)-(a < 0 ? 1 : 0) : n < 0 ? Asr(a, -n) : (short)(a << n);

    /// <summary>
    /// Reads <paramref name="width"/> bits (at most 8): least significant first as Microsoft's packing
    /// stores them, or most significant first as a headerless frame does.
    /// </summary>
    private static short Bits(ReadOnlySpan<byte> block, ref int bit, int width, bool msbFirst)
    {
        if (msbFirst)
        {
            var result = 0;
            for (var i = 0; i < width; i++, bit++)
            {
                result = (result << 1) | ((block[bit >> 3] >> (7 - (bit & 7))) & 1);
            }

            return (short)result;
        }

        var at = bit >> 3;
        var pair = block[at] | (at + 1 < block.Length ? block[at + 1] << 8 : 0);
        var value = (pair >> (bit & 7)) & ((1 << width) - 1);
        bit += width;
        return (short)value;
    }

    private void DecodeFrame(ReadOnlySpan<byte> block, ref int bit, Span<short> output, bool msbFirst = false)
    {
        for (var i = 0; i < 8; i++)
        {
            _lar[i] = Bits(block, ref bit, LarBits[i], msbFirst);
        }

        for (var sub = 0; sub < 4; sub++)
        {
            var nc = Bits(block, ref bit, 7, msbFirst);
            var bc = Bits(block, ref bit, 2, msbFirst);
            var mc = Bits(block, ref bit, 2, msbFirst);
            var xmaxc = Bits(block, ref bit, 6, msbFirst);
            for (var i = 0; i < 13; i++)
            {
                _xmc[i] = Bits(block, ref bit, 3, msbFirst);
            }

            RpeDecoding(xmaxc, mc);
            LongTermSynthesis(nc, bc);
            _dp0.AsSpan(120, 40).CopyTo(_wt.AsSpan(sub * 40, 40));
        }

        ShortTermSynthesis(output);

        // Postprocessing: de-emphasis, upscaling and truncation to 13 bits (4.3.5-4.3.7).
        for (var k = 0; k < FrameSamples; k++)
        {
            _msr = Add(output[k], MultR(_msr, 28180));
            output[k] = (short)(Add(_msr, _msr) & 0xFFF8);
        }
    }

    /// <summary>4.2.15-4.2.17: xmaxc to exponent and mantissa, the 13 RPE samples inverse-quantised and put on their grid.</summary>
    private void RpeDecoding(short xmaxc, short mc)
    {
        short exponent = 0;
        if (xmaxc > 15)
        {
            exponent = (short)((xmaxc >> 3) - 1);
        }

        var mantissa = (short)(xmaxc - (exponent << 3));
        if (mantissa == 0)
        {
            exponent = -4;
            mantissa = 7;
        }
        else
        {
            while (mantissa <= 7)
            {
                mantissa = (short)((mantissa << 1) | 1);
                exponent--;
            }

            mantissa -= 8;
        }

        var temp1 = Fac[mantissa];
        var temp2 = Sub(6, exponent);
        var temp3 = Asl(1, Sub(temp2, 1));
        // The 13 dequantised pulses (xMp), placed on the grid mc..mc+36 step 3 of the residual erp.
        Array.Clear(_erp);
        for (var i = 0; i < 13; i++)
        {
            var temp = (short)(((_xmc[i] << 1) - 7) << 12);
            temp = MultR(temp1, temp);
            temp = Add(temp, temp3);
            _erp[mc + (3 * i)] = Asr(temp, temp2);
        }
    }

    /// <summary>4.3.2: the long-term predictor on the reconstructed residual drp (dp0[120..159]; dp0[0..119] its past).</summary>
    private void LongTermSynthesis(short nc, short bc)
    {
        var nr = nc is < 40 or > 120 ? _nrp : nc;
        _nrp = nr;
        var brp = Qlb[bc];
        for (var k = 0; k < 40; k++)
        {
            _dp0[120 + k] = Add(_erp[k], MultR(brp, _dp0[120 + k - nr]));
        }

        _dp0.AsSpan(40, 120).CopyTo(_dp0);
    }

    /// <summary>4.2.8-4.2.10 and 4.3.4: the LARs decoded, interpolated over four spans of the frame, and the lattice synthesis filter.</summary>
    private void ShortTermSynthesis(Span<short> output)
    {
        var current = _larpp[_j];
        _j ^= 1;
        var previous = _larpp[_j];
        for (var i = 0; i < 8; i++)
        {
            var temp1 = (short)(Add(_lar[i], Mic[i]) << 10);
            temp1 = Sub(temp1, (short)(B[i] << 1));
            temp1 = MultR(Inva[i], temp1);
            current[i] = Add(temp1, temp1);
        }

        for (var i = 0; i < 8; i++)
        {
            _larp[i] = Add(Add(previous[i] >> 2, current[i] >> 2), previous[i] >> 1);
        }

        Filter(0, 13, output);
        for (var i = 0; i < 8; i++)
        {
            _larp[i] = Add(previous[i] >> 1, current[i] >> 1);
        }

        Filter(13, 14, output);
        for (var i = 0; i < 8; i++)
        {
            _larp[i] = Add(Add(previous[i] >> 2, current[i] >> 2), current[i] >> 1);
        }

        Filter(27, 13, output);
        current.CopyTo(_larp, 0);
        Filter(40, 120, output);
    }

    /// <summary>4.2.9.2 (LARp to reflection coefficients) then 4.3.4's lattice filter over <paramref name="count"/> samples from <paramref name="start"/>.</summary>
    private void Filter(int start, int count, Span<short> output)
    {
        for (var i = 0; i < 8; i++)
        {
            var lar = _larp[i];
            var temp = lar == short.MinValue ? short.MaxValue : Math.Abs(lar);
            temp = temp < 11059 ? (short)(temp << 1) : temp < 20070 ? (short)(temp + 11059) : Add(temp >> 2, 26112);
            _larp[i] = lar < 0 ? (short)-temp : temp;
        }

        for (var k = start; k < start + count; k++)
        {
            var sri = _wt[k];
            for (var i = 7; i >= 0; i--)
            {
                sri = Sub(sri, MultR(_larp[i], _v[i]));
                _v[i + 1] = Add(_v[i], MultR(_larp[i], sri));
            }

            output[k] = _v[0] = sri;
        }
    }
}
