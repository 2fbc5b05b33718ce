namespace VoiceBridge.Media;

/// <summary>
/// ITU-T G.711 mu-law and A-law companding, bit-exact with the ITU G.191 reference (g711.c).
/// Both directions are single table lookups: decoding uses 256-entry tables, encoding indexes a table
/// by the input's significant bits (14 for mu-law, 13 for A-law), so the span versions never allocate.
/// </summary>
/// <remarks>
/// Mu-law has two zero codes: 0xFF (+0) and 0x7F (-0). Both decode to 0, and 0 encodes to 0xFF, so
/// 0x7F is the only code that does not survive a decode/encode round trip. A-law has no zero code:
/// 0xD5 is +8 and 0x55 is -8; every A-law code round-trips.
/// </remarks>
public static class G711
{
    /// <summary>The mu-law code for silence (+0).</summary>
    public const byte MuLawSilence = 0xFF;

    /// <summary>The A-law code nearest silence (+8).</summary>
    public const byte ALawSilence = 0xD5;

    private const int MuLawBias = 0x84;
    private const int MuLawShift = 2;
    private const int ALawShift = 4;

    private static readonly short[] MuLawDecodeTable = BuildDecodeTable(MuLawExpand);
    private static readonly short[] ALawDecodeTable = BuildDecodeTable(ALawExpand);
    private static readonly byte[] MuLawEncodeTable = BuildEncodeTable(MuLawShift, MuLawCompress);
    private static readonly byte[] ALawEncodeTable = BuildEncodeTable(ALawShift, ALawCompress);

    /// <summary>Encodes one 16-bit linear sample as mu-law.</summary>
    public static byte LinearToMuLaw(short sample) => MuLawEncodeTable[(sample >> MuLawShift) + (1 << (15 - MuLawShift))];

    /// <summary>Decodes one mu-law code to a 16-bit linear sample.</summary>
    public static short MuLawToLinear(byte code) => MuLawDecodeTable[code];

    /// <summary>Encodes one 16-bit linear sample as A-law.</summary>
    public static byte LinearToALaw(short sample) => ALawEncodeTable[(sample >> ALawShift) + (1 << (15 - ALawShift))];

    /// <summary>Decodes one A-law code to a 16-bit linear sample.</summary>
    public static short ALawToLinear(byte code) => ALawDecodeTable[code];

    /// <summary>Decodes mu-law codes into <paramref name="dst"/>, which must be at least as long as <paramref name="src"/>.</summary>
    public static void MuLawDecode(ReadOnlySpan<byte> src, Span<short> dst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = MuLawDecodeTable[src[i]];
        }
    }

    /// <summary>Encodes linear samples as mu-law into <paramref name="dst"/>, which must be at least as long as <paramref name="src"/>.</summary>
    public static void MuLawEncode(ReadOnlySpan<short> src, Span<byte> dst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = LinearToMuLaw(src[i]);
        }
    }

    /// <summary>Decodes A-law codes into <paramref name="dst"/>, which must be at least as long as <paramref name="src"/>.</summary>
    public static void ALawDecode(ReadOnlySpan<byte> src, Span<short> dst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = ALawDecodeTable[src[i]];
        }
    }

    /// <summary>Encodes linear samples as A-law into <paramref name="dst"/>, which must be at least as long as <paramref name="src"/>.</summary>
    public static void ALawEncode(ReadOnlySpan<short> src, Span<byte> dst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = LinearToALaw(src[i]);
        }
    }

    private static short[] BuildDecodeTable(Func<int, int> expand)
    {
        var table = new short[256];
        for (int code = 0; code < table.Length; code++)
        {
            table[code] = (short)expand(code);
        }

        return table;
    }

    // The encoders only look at sample >> shift (the ones' complement of a negative sample shifts the same
    // way), so one entry per shifted value is exact for every 16-bit input.
    private static byte[] BuildEncodeTable(int shift, Func<int, byte> compress)
    {
        var table = new byte[1 << (16 - shift)];
        int offset = 1 << (15 - shift);
        for (int index = 0; index < table.Length; index++)
        {
            table[index] = compress((index - offset) << shift);
        }

        return table;
    }

    // G.191 ulaw_compress: 14-bit magnitude plus 33 (the bias 0x84 >> 2), clipped to 0x1FFF.
    private static byte MuLawCompress(int sample)
    {
        int magnitude = Math.Min(((sample < 0 ? ~sample : sample) >> MuLawShift) + (MuLawBias >> MuLawShift), 0x1FFF);
        int segment = 1;
        for (int rest = magnitude >> 6; rest != 0; rest >>= 1)
        {
            segment++;
        }

        int code = ((8 - segment) << 4) | (0x0F - ((magnitude >> segment) & 0x0F));
        return (byte)(sample >= 0 ? code | 0x80 : code);
    }

    // G.191 ulaw_expand.
    private static int MuLawExpand(int code)
    {
        int inverted = ~code;
        int exponent = (inverted >> 4) & 0x07;
        int mantissa = inverted & 0x0F;
        int step = 4 << (exponent + 1);
        int magnitude = (0x80 << exponent) + (step * mantissa) + (step / 2) - MuLawBias;
        return code < 0x80 ? -magnitude : magnitude;
    }

    // G.191 alaw_compress: 12-bit magnitude, segment search, even bits toggled.
    private static byte ALawCompress(int sample)
    {
        int magnitude = (sample < 0 ? ~sample : sample) >> ALawShift;
        if (magnitude > 15)
        {
            int exponent = 1;
            while (magnitude > 16 + 15)
            {
                magnitude >>= 1;
                exponent++;
            }

            magnitude = magnitude - 16 + (exponent << 4);
        }

        int code = sample >= 0 ? magnitude | 0x80 : magnitude;
        return (byte)(code ^ 0x55);
    }

    // G.191 alaw_expand.
    private static int ALawExpand(int code)
    {
        int toggled = (code ^ 0x55) & 0x7F;
        int exponent = toggled >> 4;
        int mantissa = toggled & 0x0F;
        if (exponent > 0)
        {
            mantissa += 16;
        }

        int magnitude = (mantissa << 4) + 8;
        if (exponent > 1)
        {
            magnitude <<= exponent - 1;
        }

        return code > 0x7F ? magnitude : -magnitude;
    }
}
