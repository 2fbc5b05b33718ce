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
    private const int FramesPerRead = 4096;

    /// <summary>More channels than any recording of a call has; each costs buffers.</summary>
    private const int MaxChannels = 32;

    private const int MaxSampleRate = 384_000;

    /// <summary>How the samples are stored.</summary>
    private enum Coding
    {
        PcmBigEndian,
        PcmLittleEndian,
        FloatBigEndian,
        MuLaw,
        ALaw,
    }

    private sealed record Layout(Coding Coding, int Bits, int Channels, int Rate, long DataStart, long DataBytes, string Name);

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

            var (samples, choice) = Decode(path, stream, layout, channel);
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
            1 => (Coding.MuLaw, 8, "mu-law"),
            2 => (Coding.PcmBigEndian, 8, "PCM 8-bit"),
            3 => (Coding.PcmBigEndian, 16, "PCM 16-bit"),
            4 => (Coding.PcmBigEndian, 24, "PCM 24-bit"),
            5 => (Coding.PcmBigEndian, 32, "PCM 32-bit"),
            6 => (Coding.FloatBigEndian, 32, "float 32-bit"),
            7 => (Coding.FloatBigEndian, 64, "float 64-bit"),
            27 => (Coding.ALaw, 8, "A-law"),
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
            "NONE" or "twos" or "in24" or "in32" => (Coding.PcmBigEndian, c.Bits, $"PCM {c.Bits}-bit"),
            "sowt" => (Coding.PcmLittleEndian, c.Bits, $"PCM {c.Bits}-bit little-endian"),
            "fl32" or "FL32" => (Coding.FloatBigEndian, 32, "float 32-bit"),
            "fl64" or "FL64" => (Coding.FloatBigEndian, 64, "float 64-bit"),
            "ulaw" or "ULAW" => (Coding.MuLaw, 8, "mu-law"),
            "alaw" or "ALAW" => (Coding.ALaw, 8, "A-law"),
            _ => throw new AudioFormatException(path, $"unsupported AIFF-C compression '{c.Type}'; convert it to WAV first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-converted.wav"),
        };
        if (coding is Coding.PcmBigEndian or Coding.PcmLittleEndian && bits is not (8 or 16 or 24 or 32))
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

    private static (short[] Samples, string Choice) Decode(string path, FileStream stream, Layout layout, ChannelSelection channel)
    {
        var sampleBytes = layout.Bits / 8;
        var frameBytes = sampleBytes * layout.Channels;
        var frames = layout.DataBytes / frameBytes;
        if (frames == 0)
        {
            throw new AudioFormatException(path, $"no audio: the {layout.Name} file holds no whole sample frame");
        }

        var picker = new WavLoader.ChannelPicker(path, channel, layout.Channels, layout.Rate, frames, FramesPerRead);
        var bytes = new byte[FramesPerRead * frameBytes];
        var values = new double[FramesPerRead * layout.Channels];
        stream.Position = layout.DataStart;
        for (var left = frames; left > 0;)
        {
            var count = (int)Math.Min(FramesPerRead, left);
            stream.ReadExactly(bytes, 0, count * frameBytes);
            for (var i = 0; i < count * layout.Channels; i++)
            {
                values[i] = Sample(bytes.AsSpan(i * sampleBytes, sampleBytes), layout.Coding);
            }

            picker.Add(values, count);
            left -= count;
        }

        return picker.Finish();
    }

    /// <summary>One sample scaled to the 16-bit range (AIFF's and AU's 8-bit PCM is signed, unlike WAV's).</summary>
    private static double Sample(ReadOnlySpan<byte> b, Coding coding) => (coding, b.Length) switch
    {
        (Coding.MuLaw, _) => G711.MuLawToLinear(b[0]),
        (Coding.ALaw, _) => G711.ALawToLinear(b[0]),
        (Coding.PcmBigEndian or Coding.PcmLittleEndian, 1) => (sbyte)b[0] * 256.0,
        (Coding.PcmBigEndian, 2) => BinaryPrimitives.ReadInt16BigEndian(b),
        (Coding.PcmLittleEndian, 2) => BinaryPrimitives.ReadInt16LittleEndian(b),
        (Coding.PcmBigEndian, 3) => (((b[0] << 24) | (b[1] << 16) | (b[2] << 8)) >> 8) / 256.0,
        (Coding.PcmLittleEndian, 3) => (((b[2] << 24) | (b[1] << 16) | (b[0] << 8)) >> 8) / 256.0,
        (Coding.PcmBigEndian, _) => BinaryPrimitives.ReadInt32BigEndian(b) / 65536.0,
        (Coding.PcmLittleEndian, _) => BinaryPrimitives.ReadInt32LittleEndian(b) / 65536.0,
        (Coding.FloatBigEndian, 4) => Math.Clamp(BinaryPrimitives.ReadSingleBigEndian(b) * 32768.0, -32768, 32767),
        _ => Math.Clamp(BinaryPrimitives.ReadDoubleBigEndian(b) * 32768.0, -32768, 32767),
    };
}
