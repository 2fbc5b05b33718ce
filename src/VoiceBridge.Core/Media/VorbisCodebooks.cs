namespace VoiceBridge.Media;

/// <summary>
/// The codebook sizes in a Vorbis setup header (Vorbis I specification 3.2.1), read before NVorbis
/// builds them: a codebook declares up to 2^24 entries of up to 65,535 dimensions in a few bits (an
/// ordered codebook's lengths take one number for a run of entries), and a decoder expands each
/// entry's vector into memory, so a 3 KB file could otherwise claim gigabytes. Only the codebooks are
/// walked; what follows them is left to the decoder.
/// </summary>
internal static class VorbisCodebooks
{
    /// <summary>
    /// The most codebook values (entries, plus each entry's vector for a codebook with a lookup table)
    /// a file may declare in all [2^18, about 16 MiB of NVorbis's tables]. libvorbis's own books come to
    /// 10,711 to 71,951 (sox's encoder at qualities -1 to 10, 8 to 48 kHz, mono and stereo).
    /// </summary>
    public const long MaxValues = 1 << 18;

    private const int Sync = 0x564342;

    /// <summary>The codebook values the setup header declares, or a clear error for one past the limit or cut short.</summary>
    /// <exception cref="AudioFormatException">The header is not a setup header, ends inside a codebook, or declares more than <see cref="MaxValues"/>.</exception>
    public static long Check(string path, ReadOnlySpan<byte> setup)
    {
        if (setup.Length < 8 || !setup.StartsWith("\u0005vorbis"u8))
        {
            throw new AudioFormatException(path, "invalid Ogg Vorbis stream: its third packet is not the setup header");
        }

        var bits = new BitReader(setup[7..]);
        var count = bits.Read(path, 8) + 1;
        long total = 0;
        for (var book = 0; book < count; book++)
        {
            if (bits.Read(path, 24) != Sync)
            {
                throw new AudioFormatException(path, $"invalid Ogg Vorbis setup header: codebook {book} does not start with the codebook sync pattern");
            }

            var dimensions = bits.Read(path, 16);
            var entries = bits.Read(path, 24);
            ReadLengths(path, ref bits, entries);
            var lookup = bits.Read(path, 4);
            total += entries;
            if (lookup is 1 or 2)
            {
                bits.Read(path, 32);
                bits.Read(path, 32);
                var valueBits = bits.Read(path, 4) + 1;
                bits.Read(path, 1);
                var values = lookup == 1 ? Lookup1Values(entries, dimensions) : (long)entries * dimensions;
                bits.Skip(path, values * valueBits);
                total += (long)entries * dimensions;
            }
            else if (lookup != 0)
            {
                throw new AudioFormatException(path, $"invalid Ogg Vorbis setup header: codebook {book} has lookup type {lookup} (0 to 2)");
            }

            if (total > MaxValues)
            {
                throw new AudioFormatException(path, $"unsupported Ogg Vorbis stream: its codebooks declare over {MaxValues} values (codebook {book}: {entries} entries of {dimensions} dimensions), more than any encoder writes; a decoder would hold them all in memory");
            }
        }

        return total;
    }

    private static void ReadLengths(string path, ref BitReader bits, int entries)
    {
        if (bits.Read(path, 1) == 1)
        {
            // Ordered: runs of entries with lengths counting up from the first.
            bits.Read(path, 5);
            for (var entry = 0; entry < entries;)
            {
                var run = bits.Read(path, ILog(entries - entry));
                entry += run;
                if (entry > entries)
                {
                    throw new AudioFormatException(path, $"invalid Ogg Vorbis setup header: an ordered codebook's length runs cover {entry} of its {entries} entries");
                }
            }

            return;
        }

        var sparse = bits.Read(path, 1) == 1;
        for (var entry = 0; entry < entries; entry++)
        {
            if (!sparse || bits.Read(path, 1) == 1)
            {
                bits.Read(path, 5);
            }
        }
    }

    /// <summary>The greatest value whose <paramref name="dimensions"/>-th power is at most <paramref name="entries"/> (the specification's lookup1_values).</summary>
    private static long Lookup1Values(int entries, int dimensions)
    {
        if (dimensions == 0)
        {
            return 0;
        }

        var root = (long)Math.Floor(Math.Pow(entries, 1.0 / dimensions));
        while (root > 0 && Math.Pow(root, dimensions) > entries)
        {
            root--;
        }

        while (Math.Pow(root + 1, dimensions) <= entries)
        {
            root++;
        }

        return root;
    }

    /// <summary>The position of the highest set bit (the specification's ilog): 0 for 0.</summary>
    private static int ILog(int value) => value <= 0 ? 0 : 32 - int.LeadingZeroCount(value);

    /// <summary>Vorbis packs fields least significant bit first.</summary>
    private ref struct BitReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private long _position;

        public int Read(string path, int count)
        {
            if (_position + count > _bytes.Length * 8L)
            {
                throw Truncated(path);
            }

            long value = 0;
            for (var i = 0; i < count; i++, _position++)
            {
                value |= (long)((_bytes[(int)(_position >> 3)] >> (int)(_position & 7)) & 1) << i;
            }

            return (int)(uint)value;
        }

        public void Skip(string path, long count)
        {
            if (_position + count > _bytes.Length * 8L)
            {
                throw Truncated(path);
            }

            _position += count;
        }

        private static AudioFormatException Truncated(string path) =>
            new(path, "invalid Ogg Vorbis setup header: it ends inside a codebook");
    }
}
