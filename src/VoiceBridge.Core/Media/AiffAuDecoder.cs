using System.Buffers.Binary;

namespace VoiceBridge.Media;

/// <summary>
/// The two big-endian uncompressed containers people still have: AIFF and AIFF-C (macOS and pro-audio
/// tools; AIFF-C as PCM either way round, float, mu-law or A-law) and Sun/NeXT <c>.au</c> (mu-law
/// telephony prompts and Unix recordings; PCM, float, mu-law or A-law). Both are read as they stream,
/// chunk sizes and sample counts checked against the file, into the call's stream through
/// <see cref="WavLoader.ChannelPicker"/>. Compressed AIFF-C (ima4, MACE, QDesign) and other AU encodings
/// (G.721, G.723) are refused by name.
/// </summary>
internal static class AiffAuDecoder
{
    /// <summary>More channels than any recording of a call has; each costs buffers.</summary>
    private const int MaxChannels = 32;

    private const int MaxSampleRate = 384_000;

    /// <summary>How the samples are stored.</summary>
    private sealed record Layout(SampleCoding Coding, int Bits, int Channels, int Rate, long DataStart, long DataBytes, string Name);

    public static bool StartsLikeAiff(ReadOnlySpan<byte> head) => head.Length >= 12 && head.StartsWith("FORM"u8) && (head[8..12].SequenceEqual("AIFF"u8) || head[8..12].SequenceEqual("AIFC"u8));

    public static bool StartsLikeAu(ReadOnlySpan<byte> head) => head.StartsWith(".snd"u8);

    /// <exception cref="AudioFormatException">Not a well-formed AIFF or AU file, an encoding not read, or no audio.</exception>
    public static CallerRecording Load(string path, ChannelSelection channel)
    {
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            stream.ReadExactly(magic);
            stream.Position = 0;
            var layout = magic.SequenceEqual(".snd"u8) ? ReadAu(path, stream) : ReadAiff(path, stream);
            if (layout.Channels is < 1 or > MaxChannels)
            {
                throw new AudioFormatException(path, $"unsupported {layout.Name}: {layout.Channels} channels (1 to {MaxChannels})");
            }

            if (layout.Rate is < WavLoader.MinSampleRate or > MaxSampleRate)
            {
                throw new AudioFormatException(path, $"unsupported {layout.Name}: sample rate {layout.Rate} Hz ({WavLoader.MinSampleRate} to {MaxSampleRate} Hz)");
            }

            var sampleBytes = layout.Bits / 8;
            var frames = layout.DataBytes / (sampleBytes * layout.Channels);
            if (frames == 0)
            {
                throw new AudioFormatException(path, $"no audio: the {layout.Name} file holds no whole sample frame");
            }

            stream.Position = layout.DataStart;
            var (samples, choice) = InterleavedSamples.Decode(path, stream, layout.Coding, sampleBytes, layout.Channels, layout.Rate, frames, channel);
            return new CallerRecording(path, samples, layout.Rate, layout.Channels, layout.Name, choice);
        }
        catch (EndOfStreamException)
        {
            throw new AudioFormatException(path, "truncated: the file ends inside its header");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot read the file: {e.Message}");
        }
    }

    /// <summary>AU (Sun/NeXT): ".snd", data offset, data size (all ones: to the end), encoding, rate, channels, big-endian.</summary>
    private static Layout ReadAu(string path, FileStream stream)
    {
        Span<byte> header = stackalloc byte[24];
        stream.ReadExactly(header);
        var offset = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        var size = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        var encoding = BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
        var rate = BinaryPrimitives.ReadUInt32BigEndian(header[16..]);
        var channels = BinaryPrimitives.ReadUInt32BigEndian(header[20..]);
        if (offset < 24 || offset > stream.Length)
        {
            throw new AudioFormatException(path, $"invalid AU header: data offset {offset} (24 to the file's {stream.Length} bytes)");
        }

        var (coding, bits, name) = encoding switch
        {
            1 => (SampleCoding.MuLaw, 8, "mu-law"),
            2 => (SampleCoding.PcmBigEndian, 8, "PCM 8-bit"),
            3 => (SampleCoding.PcmBigEndian, 16, "PCM 16-bit"),
            4 => (SampleCoding.PcmBigEndian, 24, "PCM 24-bit"),
            5 => (SampleCoding.PcmBigEndian, 32, "PCM 32-bit"),
            6 => (SampleCoding.FloatBigEndian, 32, "float 32-bit"),
            7 => (SampleCoding.FloatBigEndian, 64, "float 64-bit"),
            27 => (SampleCoding.ALaw, 8, "A-law"),
            _ => throw new AudioFormatException(path, $"unsupported AU encoding {encoding}{(encoding is 23 or 24 or 25 or 26 ? " (G.72x ADPCM)" : "")}; convert it to WAV first, e.g. sox {Path.GetFileName(path)} -e signed -b 16 {Path.GetFileNameWithoutExtension(path)}-pcm.wav"),
        };
        var available = stream.Length - offset;
        if (size != uint.MaxValue && size > available)
        {
            throw new AudioFormatException(path, $"truncated: the AU header declares {size} bytes of audio, the file holds {available}");
        }

        return new Layout(coding, bits, (int)Math.Min(channels, int.MaxValue), (int)Math.Min(rate, int.MaxValue), offset, size == uint.MaxValue ? available : size, $"AU {name}");
    }

    /// <summary>AIFF or AIFF-C: a FORM of chunks (big-endian sizes, padded to even), COMM before or after SSND.</summary>
    private static Layout ReadAiff(string path, FileStream stream)
    {
        Span<byte> form = stackalloc byte[12];
        stream.ReadExactly(form);
        var compressed = form[8..].SequenceEqual("AIFC"u8);
        var kind = compressed ? "AIFF-C" : "AIFF";
        (int Channels, uint Frames, int Bits, double Rate, string Type)? comm = null;
        (long Start, long Bytes)? sound = null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> offsets = stackalloc byte[8];
        while (stream.Position + 8 <= stream.Length && (comm is null || sound is null))
        {
            var at = stream.Position;
            stream.ReadExactly(chunk);
            var size = BinaryPrimitives.ReadUInt32BigEndian(chunk[4..]);
            if (size > stream.Length - stream.Position)
            {
                throw new AudioFormatException(path, $"truncated: the {kind} chunk '{FourCc(chunk)}' at byte {at} declares {size} bytes, the file holds {stream.Length - stream.Position}");
            }

            var body = stream.Position;
            if (chunk[..4].SequenceEqual("COMM"u8))
            {
                comm = ReadComm(path, stream, size, compressed);
            }
            else if (chunk[..4].SequenceEqual("SSND"u8))
            {
                if (size < 8)
                {
                    throw new AudioFormatException(path, $"invalid {kind}: its SSND chunk is {size} bytes, under its 8-byte header");
                }

                stream.ReadExactly(offsets);
                var skip = BinaryPrimitives.ReadUInt32BigEndian(offsets);
                if (skip > size - 8)
                {
                    throw new AudioFormatException(path, $"invalid {kind}: its SSND offset {skip} passes the chunk's {size - 8} bytes of sound");
                }

                sound = (body + 8 + skip, size - 8 - skip);
            }

            stream.Position = body + size + (size & 1);
        }

        if (comm is not { } c)
        {
            throw new AudioFormatException(path, $"invalid {kind}: no COMM chunk (channels, frames, sample size and rate)");
        }

        if (sound is not { } s)
        {
            throw new AudioFormatException(path, $"no audio: the {kind} file has no SSND chunk");
        }

        var (coding, bits, name) = c.Type switch
        {
            "NONE" or "twos" or "in24" or "in32" => (SampleCoding.PcmBigEndian, c.Bits, $"PCM {c.Bits}-bit"),
            "sowt" => (SampleCoding.PcmLittleEndian, c.Bits, $"PCM {c.Bits}-bit little-endian"),
            "fl32" or "FL32" => (SampleCoding.FloatBigEndian, 32, "float 32-bit"),
            "fl64" or "FL64" => (SampleCoding.FloatBigEndian, 64, "float 64-bit"),
            "ulaw" or "ULAW" => (SampleCoding.MuLaw, 8, "mu-law"),
            "alaw" or "ALAW" => (SampleCoding.ALaw, 8, "A-law"),
            _ => throw new AudioFormatException(path, $"unsupported AIFF-C compression '{c.Type}'; convert it to WAV first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-converted.wav"),
        };
        if (coding is SampleCoding.PcmBigEndian or SampleCoding.PcmLittleEndian && bits is not (8 or 16 or 24 or 32))
        {
            throw new AudioFormatException(path, $"unsupported {kind}: {bits}-bit samples (8, 16, 24 or 32)");
        }

        var frameBytes = (long)c.Channels * (bits / 8);
        if (frameBytes > 0 && c.Frames * frameBytes > s.Bytes)
        {
            throw new AudioFormatException(path, $"truncated: the COMM chunk declares {c.Frames} frames ({c.Frames * frameBytes} bytes), the SSND chunk holds {s.Bytes}");
        }

        var rate = c.Rate is >= 1 and <= int.MaxValue ? (int)Math.Round(c.Rate) : 0;
        return new Layout(coding, bits, c.Channels, rate, s.Start, c.Frames * frameBytes, $"{kind} {name}");
    }

    private static (int Channels, uint Frames, int Bits, double Rate, string Type) ReadComm(string path, FileStream stream, uint size, bool compressed)
    {
        if (size < (compressed ? 22 : 18))
        {
            throw new AudioFormatException(path, $"invalid {(compressed ? "AIFF-C" : "AIFF")}: its COMM chunk is {size} bytes, under {(compressed ? 22 : 18)}");
        }

        Span<byte> comm = stackalloc byte[22];
        stream.ReadExactly(comm[..(compressed ? 22 : 18)]);
        return (
            BinaryPrimitives.ReadInt16BigEndian(comm),
            BinaryPrimitives.ReadUInt32BigEndian(comm[2..]),
            BinaryPrimitives.ReadInt16BigEndian(comm[6..]),
            Extended(comm.Slice(8, 10)),
            compressed ? FourCc(comm[18..]) : "NONE");
    }

    /// <summary>An IEEE 754 80-bit extended value (AIFF's sample rate): sign, 15-bit exponent, 64-bit mantissa with its integer bit.</summary>
    private static double Extended(ReadOnlySpan<byte> b)
    {
        var exponent = BinaryPrimitives.ReadUInt16BigEndian(b) & 0x7FFF;
        var mantissa = BinaryPrimitives.ReadUInt64BigEndian(b[2..]);
        var value = mantissa * Math.Pow(2, exponent - 16383 - 63);
        return (b[0] & 0x80) != 0 ? -value : value;
    }

    private static string FourCc(ReadOnlySpan<byte> b) => string.Create(4, b[..4].ToArray(), (chars, bytes) =>
    {
        for (var i = 0; i < 4; i++)
        {
            chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '?';
        }
    });
}
