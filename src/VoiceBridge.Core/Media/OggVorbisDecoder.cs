using System.Buffers.Binary;
using NVorbis;

namespace VoiceBridge.Media;

/// <summary>
/// Ogg Vorbis recordings (what sox, Audacity and oggenc write for ".ogg") decoded with NVorbis, a
/// managed decoder, into the call's stream. Every page is checked first as for Ogg Opus (capture
/// pattern, version, CRC; the Vorbis stream's sequence), because NVorbis skips a damaged page and
/// decodes on, which would drop the caller's words without a word said; the headers NVorbis sizes its
/// memory by are checked too (ids, comments, codebooks). The stream's end is trimmed by its last
/// granule position here, as libvorbis trims it (NVorbis's own trimming can loop forever). A chained
/// second stream, a rate or channel count out of range or more than the longest recording is refused
/// by name.
/// </summary>
internal static partial class OggVorbisDecoder
{
    private const int FramesPerRead = 4096;

    /// <summary>The highest sample rate read (as for FLAC): a header may claim any 32-bit rate.</summary>
    private const int MaxSampleRate = 384_000;

    /// <summary>
    /// The most channels read: Vorbis defines channel orders up to 8 (7.1); a header may say 255, and
    /// every buffer is sized by it (a 2.8 KB file of 255 channels cost 17 MB).
    /// </summary>
    private const int MaxChannels = 8;

    private const byte BeginsStream = 0x02;

    /// <summary>Whether the file's first streams (their opening pages come first, RFC 3533 4) hold Vorbis and no Opus.</summary>
    public static bool BeginsVorbis(string path, byte[] file)
    {
        var vorbis = false;
        for (var at = 0; at < file.Length && at + 27 <= file.Length && (file[at + 5] & BeginsStream) != 0;)
        {
            var (length, segments) = OggOpusDecoder.Page(path, file, at);
            var first = file.AsSpan(at + 27 + segments, length - 27 - segments);
            if (first.StartsWith("OpusHead"u8))
            {
                return false;
            }

            vorbis |= first.StartsWith("\u0001vorbis"u8);
            at += length;
        }

        return vorbis;
    }

    /// <exception cref="AudioFormatException">A damaged or truncated page, a stream NVorbis cannot decode, or no audio.</exception>
    public static CallerRecording Load(string path, byte[] file, ChannelSelection channel)
    {
        var pages = CheckPages(path, file);
        var longBlock = CheckIdentification(path, pages.Headers[0]);
        CheckComments(path, pages.Headers[1]);
        VorbisCodebooks.Check(path, pages.Headers[2]);
        ReplaceGranules(file, pages.Serial, longBlock / 2);
        try
        {
            using var reader = new VorbisReader(new MemoryStream(file, writable: false), closeOnDispose: true);
            int channels = reader.Channels, rate = reader.SampleRate;
            reader.ClipSamples = false;
            var (samples, choice) = Decode(path, reader, pages.LastGranule, channel);
            return new CallerRecording(path, samples, rate, channels, $"Ogg Vorbis (nominal {reader.NominalBitrate / 1000} kb/s)", choice);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or NullReferenceException or ArithmeticException or EndOfStreamException)
        {
            // NVorbis reports a header it cannot read as InvalidDataException or ArgumentException;
            // damaged audio packets can surface as index or arithmetic errors from inside its decoder.
            throw new AudioFormatException(path, $"not a readable Ogg Vorbis stream: {e.Message}");
        }
    }

    private static (short[] Samples, string Choice) Decode(string path, VorbisReader reader, long lastGranule, ChannelSelection channel)
    {
        int channels = reader.Channels;

        // NVorbis counts samples in 32 bits (CheckGranule): 2^31 - 1 is over 4 hours at up to 149 kHz.
        var maxFrames = Math.Min(WavLoader.ChannelPicker.MaxRecordingSeconds * reader.SampleRate, int.MaxValue);

        // The last granule position ends the stream (Vorbis I A.2), trimmed here (NVorbis's own trimming is
        // disabled by ReplaceGranules). It may also claim far more than the pages hold: then the result ends
        // where the audio does (the picker is made with the bound and ended at the frames fed).
        var bound = lastGranule is > 0 && lastGranule < maxFrames ? lastGranule : maxFrames;
        long frames = 0;
        var picker = new WavLoader.ChannelPicker(path, channel, channels, reader.SampleRate, bound, FramesPerRead);
        var floats = new float[FramesPerRead * channels];
        var values = new double[floats.Length];
        for (int read; frames < bound && (read = reader.ReadSamples(floats, 0, floats.Length) / channels) > 0;)
        {
            var take = (int)Math.Min(read, bound - frames);
            for (var i = 0; i < take * channels; i++)
            {
                values[i] = Math.Clamp(floats[i] * 32768.0, short.MinValue, short.MaxValue);
            }

            picker.Add(values, take);
            frames += take;
        }

        if (frames == maxFrames && reader.ReadSamples(floats, 0, floats.Length) > 0)
        {
            throw new AudioFormatException(path, $"too long: more than {WavLoader.ChannelPicker.MaxRecordingSeconds / 3600} hours of Vorbis audio, a recording may hold at most that");
        }

        if (frames == 0)
        {
            throw new AudioFormatException(path, "no audio: the Ogg Vorbis stream holds no audio packets");
        }

        return picker.Finish(frames);
    }

    /// <summary>The identification header (Vorbis I 4.2.2), checked before NVorbis sizes its buffers by it: returns the long block's size.</summary>
    private static int CheckIdentification(string path, ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 30 || BinaryPrimitives.ReadUInt32LittleEndian(packet[7..]) != 0 || (packet[29] & 1) == 0)
        {
            throw new AudioFormatException(path, "invalid Ogg Vorbis identification header: not 30 bytes of Vorbis I (version 0) ending in its framing bit");
        }

        int channels = packet[11];
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(packet[12..]);
        if (channels is < 1 or > MaxChannels)
        {
            throw new AudioFormatException(path, $"unsupported Ogg Vorbis stream: {channels} channels (1 to {MaxChannels})");
        }

        if (rate is < WavLoader.MinSampleRate or > MaxSampleRate)
        {
            throw new AudioFormatException(path, $"unsupported Ogg Vorbis stream: {rate} Hz (rates {WavLoader.MinSampleRate} to {MaxSampleRate} Hz)");
        }

        int shortExponent = packet[28] & 0x0F, longExponent = packet[28] >> 4;
        if (shortExponent is < 6 or > 13 || longExponent is < 6 or > 13 || shortExponent > longExponent)
        {
            throw new AudioFormatException(path, $"invalid Ogg Vorbis identification header: block sizes {1 << shortExponent} and {1 << longExponent} (powers of two from 64 to 8192, the short one not the longer)");
        }

        return 1 << longExponent;
    }

    /// <summary>
    /// The comment header's lengths (Vorbis I 5.2.1) within the packet: NVorbis allocates each length
    /// it reads before it finds the packet shorter, up to 4 GiB for one string.
    /// </summary>
    private static void CheckComments(string path, ReadOnlySpan<byte> packet)
    {
        if (!packet.StartsWith("\u0003vorbis"u8))
        {
            throw new AudioFormatException(path, "invalid Ogg Vorbis stream: its second packet is not the comment header");
        }

        var at = 7;
        uint Length(ReadOnlySpan<byte> bytes, string what)
        {
            if (at + 4 > bytes.Length)
            {
                throw new AudioFormatException(path, $"invalid Ogg Vorbis comment header: it ends before its {what}");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
            at += 4;
            return length;
        }

        void SkipString(ReadOnlySpan<byte> bytes, string what)
        {
            var length = Length(bytes, $"{what}'s length");
            if (length > bytes.Length - at)
            {
                throw new AudioFormatException(path, $"invalid Ogg Vorbis comment header: its {what} claims {length} bytes, {bytes.Length - at} remain in the packet");
            }

            at += (int)length;
        }

        SkipString(packet, "vendor string");
        var comments = Length(packet, "comment count");
        for (long c = 0; c < comments; c++)
        {
            SkipString(packet, $"comment {c + 1}");
        }
    }
}
