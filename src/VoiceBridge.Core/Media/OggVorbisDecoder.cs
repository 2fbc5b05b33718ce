using System.Buffers.Binary;
using NVorbis;

namespace VoiceBridge.Media;

/// <summary>
/// Ogg Vorbis recordings (what sox, Audacity and oggenc write for ".ogg") decoded with NVorbis, a
/// managed decoder, into the call's stream. Every page is checked first as for Ogg Opus (capture
/// pattern, version, CRC; the Vorbis stream's sequence), because NVorbis skips a damaged page and
/// decodes on, which would drop the caller's words without a word said. The stream's end is trimmed
/// by its last granule position (NVorbis does it, as libvorbis does). A chained second stream, a rate
/// out of range or more than the longest recording is refused by name.
/// </summary>
internal static class OggVorbisDecoder
{
    private const int FramesPerRead = 4096;

    /// <summary>The highest sample rate read (as for FLAC): a header may claim any 32-bit rate.</summary>
    private const int MaxSampleRate = 384_000;

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
        var headers = CheckPages(path, file);
        CheckComments(path, headers[1]);
        VorbisCodebooks.Check(path, headers[2]);
        try
        {
            using var reader = new VorbisReader(new MemoryStream(file, writable: false), closeOnDispose: true);
            int channels = reader.Channels, rate = reader.SampleRate;
            if (channels < 1 || rate is < WavLoader.MinSampleRate or > MaxSampleRate)
            {
                throw new AudioFormatException(path, $"unsupported Ogg Vorbis stream: {channels} channels at {rate} Hz (rates {WavLoader.MinSampleRate} to {MaxSampleRate} Hz)");
            }

            reader.ClipSamples = false;
            var (samples, choice) = Decode(path, reader, channel);
            return new CallerRecording(path, samples, rate, channels, $"Ogg Vorbis (nominal {reader.NominalBitrate / 1000} kb/s)", choice);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or NullReferenceException or OverflowException or EndOfStreamException)
        {
            // NVorbis reports a header it cannot read as InvalidDataException or ArgumentException;
            // damaged audio packets can surface as index or arithmetic errors from inside its decoder.
            throw new AudioFormatException(path, $"not a readable Ogg Vorbis stream: {e.Message}");
        }
    }

    private static (short[] Samples, string Choice) Decode(string path, VorbisReader reader, ChannelSelection channel)
    {
        int channels = reader.Channels;
        var maxFrames = WavLoader.ChannelPicker.MaxRecordingSeconds * reader.SampleRate;
        // The last granule position (TotalSamples) ends the stream (Vorbis I A.2): NVorbis decodes the last
        // packet whole, so the end is trimmed here. It may also claim far more than the pages hold: then the
        // result ends where the audio does (the picker is made with the bound and ended at the frames fed).
        var bound = reader.TotalSamples is > 0 and var total && total < maxFrames ? total : maxFrames;
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

    /// <summary>
    /// Every page whole and matching its CRC; the Vorbis stream's pages in sequence, none after the one
    /// that ended it and no second Vorbis stream chained after it. Returns the stream's first three
    /// packets: its identification, comment and setup headers.
    /// </summary>
    private static byte[][] CheckPages(string path, byte[] file)
    {
        uint? serial = null;
        uint sequence = 0;
        var ended = false;
        var packets = 0;
        List<byte>[] headers = [[], [], []];
        for (var at = 0; at < file.Length;)
        {
            var (length, segments) = OggOpusDecoder.Page(path, file, at);
            var page = file.AsSpan(at, length);
            var pageSerial = BinaryPrimitives.ReadUInt32LittleEndian(page[14..]);
            var pageSequence = BinaryPrimitives.ReadUInt32LittleEndian(page[18..]);
            var vorbisHead = (page[5] & BeginsStream) != 0 && page[(27 + segments)..].StartsWith("\u0001vorbis"u8);
            if (serial is null && vorbisHead)
            {
                serial = pageSerial;
            }
            else if (vorbisHead && ended)
            {
                throw new AudioFormatException(path, $"unsupported Ogg file: a second Vorbis stream is chained after the first at byte {at}; split it into one file a stream first");
            }
            else if (pageSerial == serial)
            {
                if (ended)
                {
                    throw new AudioFormatException(path, $"corrupt Ogg stream: a page at byte {at} follows the page that ended its stream");
                }

                if (pageSequence != sequence + 1)
                {
                    throw new AudioFormatException(path, $"corrupt Ogg stream: a page is missing before byte {at} (sequence {sequence} then {pageSequence})");
                }
            }

            if (pageSerial == serial)
            {
                CheckGranule(path, at, BinaryPrimitives.ReadInt64LittleEndian(page[6..]));
                sequence = pageSequence;
                ended = (page[5] & 0x04) != 0;
                var offset = 27 + segments;
                for (var s = 0; s < segments && packets < 3; s++)
                {
                    var lacing = page[27 + s];
                    headers[packets].AddRange(page.Slice(offset, lacing));
                    offset += lacing;
                    packets += lacing < 255 ? 1 : 0;
                }
            }

            at += length;
        }

        if (packets < 3)
        {
            throw new AudioFormatException(path, serial is null ? "no audio: no Vorbis stream begins in the file" : "truncated: the Ogg Vorbis stream ends before its setup header does");
        }

        return [.. headers.Select(h => h.ToArray())];
    }

    /// <summary>
    /// A granule position (the stream's sample count at the page's end) within what NVorbis counts: between
    /// 2^31 and 2^32 its decoding of the last page never returns (found by the ogg fuzz target). 2^31 - 1
    /// samples is over 4 hours at up to 149 kHz; -1 means no packet ends on the page.
    /// </summary>
    private static void CheckGranule(string path, int at, long granule)
    {
        if (granule is < -1 or > int.MaxValue)
        {
            throw new AudioFormatException(path, granule < 0
                ? $"corrupt Ogg Vorbis stream: the page at byte {at} has granule position {granule}"
                : $"unsupported Ogg Vorbis stream: the page at byte {at} has granule position {granule}, past the {int.MaxValue} samples the decoder in use (NVorbis) counts");
        }
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
