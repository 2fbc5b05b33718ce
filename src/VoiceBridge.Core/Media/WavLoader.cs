using System.Buffers.Binary;
using NAudio.Wave;

namespace VoiceBridge.Media;

/// <summary>
/// Loads a recording a user brings into the call's stream (8 kHz mono 16-bit): WAV as PCM 8/16/24/32-bit,
/// IEEE float 32/64-bit, mu-law, A-law, IMA or Microsoft ADPCM, GSM 6.10 or WAVE_FORMAT_EXTENSIBLE PCM/float, any channel count, any common
/// rate (resampled with <see cref="Resampler"/>, its delay removed so timing is kept); MP3 (a file named
/// <c>.mp3</c>, or starting as one does, <see cref="Mp3Decoder"/>); Ogg Opus (<see cref="OggOpusDecoder"/>) or Vorbis (<see cref="OggVorbisDecoder"/>);
/// FLAC (<see cref="FlacDecoder"/>); headerless GSM 6.10 by its <c>.gsm</c> name (<see cref="Gsm610Decoder.LoadRaw"/>); AIFF, AIFF-C or Sun/NeXT AU (<see cref="AiffAuDecoder"/>); or headerless mu-law. WebM Opus (<see cref="WebmDecoder"/>). Other containers (MP4, AMR, CAF) are
/// named in the error. Every problem surfaces as an
/// <see cref="AudioFormatException"/> naming the file.
/// </summary>
public static partial class WavLoader
{
    /// <summary>
    /// Lowest sample rate read. Nothing below it is speech audio, and upsampling to 8 kHz multiplies the
    /// samples by 8000 / rate: a 1 Hz header made a 1 KB file cost 140 MB.
    /// </summary>
    public const int MinSampleRate = 4000;

    /// <summary>
    /// Reads a WAV file (or an MP3 file, by its <c>.mp3</c> name or its first bytes, an Ogg Opus or Vorbis or a FLAC file) and converts it to 8 kHz mono, taking
    /// <paramref name="channel"/> from multi-channel audio (<see cref="CallerRecording.ChannelChoice"/> says which, and why).
    /// </summary>
    /// <exception cref="AudioFormatException">The file is missing, empty, not a WAV (or MP3), truncated, or in an unsupported format or container (named).</exception>
    public static CallerRecording Load(string path, ChannelSelection channel = ChannelSelection.Auto)
    {
        CheckFileHasBytes(path);
        Span<byte> head = stackalloc byte[12];
        head = head[..ReadHead(path, head)];
        if (Mp3Decoder.IsMp3Name(path) || StartsLikeMp3(head))
        {
            return Mp3Decoder.Load(path, channel);
        }

        if (Path.GetExtension(path).Equals(".gsm", StringComparison.OrdinalIgnoreCase))
        {
            return Gsm610Decoder.LoadRaw(path);
        }

        if (OggOpusDecoder.StartsLikeOgg(head))
        {
            return OggOpusDecoder.Load(path, channel);
        }

        if (WebmDecoder.StartsLikeWebm(head))
        {
            return WebmDecoder.Load(path, channel);
        }

        if (FlacDecoder.StartsLikeFlac(head))
        {
            return FlacDecoder.Load(path, channel);
        }

        if (AiffAuDecoder.StartsLikeAiff(head) || AiffAuDecoder.StartsLikeAu(head))
        {
            return AiffAuDecoder.Load(path, channel);
        }

        try
        {
            using var file = File.OpenRead(path);
            CheckRiffHeader(path, file);
            var stream = WithUnfinishedSizes(file);
            using var reader = new WaveFileReader(stream);
            long dataStart = stream.Position; // the reader leaves its stream at the first byte of the data chunk
            var format = reader.WaveFormat;
            if (AdpcmDecoder.IsAdpcm(format.Encoding) || format.Encoding == WaveFormatEncoding.Gsm610)
            {
                return LoadBlocks(path, stream, reader, dataStart, channel);
            }

            var (kind, encodingName) = Describe(path, format);
            long dataBytes = DataChunkBytes(path, stream, reader, dataStart, wholeBlocks: true);
            reader.Position = 0;
            var sampleBytes = format.BlockAlign / format.Channels;
            var coding = kind == SampleCoding.PcmLittleEndian && sampleBytes == 1 ? SampleCoding.UnsignedPcm : kind;
            var (samples, choice) = InterleavedSamples.Decode(path, reader, coding, sampleBytes, format.Channels, format.SampleRate, dataBytes / format.BlockAlign, channel);
            return new CallerRecording(path, samples, format.SampleRate, format.Channels, encodingName, choice);
        }
        catch (EndOfStreamException)
        {
            throw new AudioFormatException(path, "truncated: the file ends inside its header");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            throw new AudioFormatException(path, $"not a readable WAV file: {ex.Message}");
        }
    }

    /// <summary>Reads a headerless file of 8 kHz mu-law bytes.</summary>
    /// <exception cref="AudioFormatException">The file is missing, empty or unreadable.</exception>
    public static CallerRecording LoadRawMuLaw(string path)
    {
        CheckFileHasBytes(path);
        try
        {
            var codes = File.ReadAllBytes(path);
            var samples = new short[codes.Length];
            G711.MuLawDecode(codes, samples);
            return new CallerRecording(path, samples, CallClock.SampleRate, 1, "raw mu-law");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot read the file: {ex.Message}");
        }
    }

    private static void CheckFileHasBytes(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new AudioFormatException(path, "file not found");
        }

        if (file.Length == 0)
        {
            throw new AudioFormatException(path, "empty file (0 bytes)");
        }
    }

    private static void CheckRiffHeader(string path, Stream stream)
    {
        Span<byte> header = stackalloc byte[12];
        int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        bool riff = read >= 4 && (header[..4].SequenceEqual("RIFF"u8) || header[..4].SequenceEqual("RF64"u8));
        if (riff && read < header.Length)
        {
            throw new AudioFormatException(path, $"truncated: the file holds only {read} bytes of a RIFF header");
        }

        if (!riff || !header[8..].SequenceEqual("WAVE"u8))
        {
            throw new AudioFormatException(path, OtherContainer(header[..read]) is { } other
                ? $"not a WAV file: it is {other}; convert it to WAV first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-converted.wav"
                : "not a WAV file (no RIFF/WAVE header)");
        }

        stream.Position = 0;
    }

    private static (SampleCoding Kind, string Name) Describe(string path, WaveFormat format)
    {
        var (kind, suffix) = format.Encoding switch
        {
            WaveFormatEncoding.Pcm => (SampleCoding.PcmLittleEndian, ""),
            WaveFormatEncoding.IeeeFloat => (SampleCoding.FloatLittleEndian, ""),
            WaveFormatEncoding.MuLaw => (SampleCoding.MuLaw, ""),
            WaveFormatEncoding.ALaw => (SampleCoding.ALaw, ""),
            WaveFormatEncoding.Extensible => (ExtensibleKind(path, format), " (extensible)"),
            _ => throw UnsupportedEncoding(path, format.Encoding),
        };
        int bits = format.BitsPerSample;
        string name = kind switch
        {
            SampleCoding.PcmLittleEndian => $"PCM {bits}-bit",
            SampleCoding.FloatLittleEndian => $"IEEE float {bits}-bit",
            SampleCoding.MuLaw => "mu-law",
            _ => "A-law",
        };
        bool supported = kind switch
        {
            SampleCoding.PcmLittleEndian => bits is 8 or 16 or 24 or 32,
            SampleCoding.FloatLittleEndian => bits is 32 or 64,
            _ => bits == 8,
        };
        if (!supported)
        {
            throw new AudioFormatException(path, $"unsupported bit depth: {name}");
        }

        if (format.Channels < 1 || format.BlockAlign != format.Channels * bits / 8)
        {
            throw new AudioFormatException(
                path, $"invalid format: block align {format.BlockAlign} does not fit {format.Channels} channel(s) of {bits}-bit samples");
        }

        if (format.SampleRate < MinSampleRate)
        {
            throw new AudioFormatException(path, $"invalid format: sample rate {format.SampleRate} Hz (at least {MinSampleRate} Hz)");
        }

        return (kind, name + suffix);
    }

    // WAVE_FORMAT_EXTENSIBLE extra data: valid bits (2 bytes), channel mask (4), then the SubFormat GUID (16).
    private static SampleCoding ExtensibleKind(string path, WaveFormat format)
    {
        var extra = format is WaveFormatExtraData withExtra ? withExtra.ExtraData : [];
        var subFormat = extra.Length >= 22 ? new Guid(extra.AsSpan(6, 16)) : Guid.Empty;
        if (subFormat == AudioMediaSubtypes.MEDIASUBTYPE_PCM)
        {
            return SampleCoding.PcmLittleEndian;
        }

        if (subFormat == AudioMediaSubtypes.MEDIASUBTYPE_IEEE_FLOAT)
        {
            return SampleCoding.FloatLittleEndian;
        }

        throw new AudioFormatException(path, $"unsupported encoding: extensible subformat {subFormat}");
    }

    private static AudioFormatException UnsupportedEncoding(string path, WaveFormatEncoding encoding)
    {
        // The telephony codecs a WAV of a recorded call may hold, by the tags ffmpeg and Windows write.
        string name = (int)encoding switch
        {
            0x0055 => "MP3",
            0x028F => "G.722",
            0x0045 or 0x0064 or 0x0140 => "G.726 ADPCM",
            0x0083 or 0xA100 => "G.729",
            0x0022 => "TrueSpeech",
            _ => Enum.IsDefined(encoding) ? encoding.ToString() : "unknown",
        };
        return new AudioFormatException(
            path, $"unsupported encoding: {name} (format tag {(int)encoding}); convert it to PCM first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-pcm.wav");
    }

    private static long DataChunkBytes(string path, Stream stream, WaveFileReader reader, long dataStart, bool wholeBlocks)
    {
        Span<byte> size = stackalloc byte[4];
        stream.Position = dataStart - size.Length;
        stream.ReadExactly(size);
        uint declared = BinaryPrimitives.ReadUInt32LittleEndian(size);

        // 0xFFFFFFFF: an RF64 file (the real size is in its ds64 chunk) or a streaming writer that never knew it.
        long bytes = declared == uint.MaxValue ? reader.Length : declared;
        long available = stream.Length - dataStart;
        int blockAlign = reader.WaveFormat.BlockAlign;
        if (bytes > available)
        {
            throw new AudioFormatException(path, $"truncated: data chunk declares {bytes} bytes, file holds {available}");
        }

        if (wholeBlocks && bytes % blockAlign != 0)
        {
            throw new AudioFormatException(
                path, $"truncated: data chunk holds {bytes} bytes, not a whole number of {blockAlign}-byte sample frames");
        }

        if (bytes == 0)
        {
            throw new AudioFormatException(path, "no audio: the data chunk holds zero samples");
        }

        return bytes;
    }
}
