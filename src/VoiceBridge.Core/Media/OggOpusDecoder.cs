using System.Buffers.Binary;
using Concentus;
using Concentus.Structs;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Media;

/// <summary>
/// Ogg Opus recordings (RFC 7845: what WebRTC recorders such as LiveKit's egress, Firefox's
/// MediaRecorder and opusenc write) decoded with Concentus's managed decoder at 48 kHz into the call's
/// stream. Pages are checked (capture pattern, version, CRC, sequence, continuation) and a bad one is
/// named by its byte offset; the Opus stream is decoded (streams of other codecs multiplexed beside it
/// are skipped), its pre-skip removed, its end trimmed by granule position (a stream cut from a longer
/// one included) and its output gain applied. Channel mapping families 0 and 1 (mono, stereo, surround)
/// are decoded; another family, a chained second stream, or an Ogg file of another codec is refused by name.
/// A file whose streams begin with Vorbis and no Opus goes to <see cref="OggVorbisDecoder"/>.
/// </summary>
internal static partial class OggOpusDecoder
{
    private const int Rate = OpusAudio.SampleRate;

    /// <summary>The longest Opus packet: 120 ms at 48 kHz, per channel.</summary>
    private const int MaxPacketSamples = OpusAudio.MaxPacketSamples48k;

    /// <summary>
    /// The largest Ogg file read [1 GiB]: 4 hours of one Opus stream at 510 kb/s, its highest rate, is
    /// 918 MB (a surround file of several streams at such rates is refused: split or convert it first);
    /// of Vorbis at 500 kb/s, its highest quality, 900 MB. WebM Opus (<see cref="WebmDecoder"/>) is bound the same.
    /// </summary>
    internal const long MaxFileBytes = 1L << 30;

    /// <summary>The longest Opus packet of one stream: 48 frames of 1,275 bytes (RFC 6716 3.2.5), with room for its framing.</summary>
    private const int MaxStreamPacketBytes = 61_440;

    /// <summary>The longest header packet taken (OpusTags may carry cover art).</summary>
    private const int MaxHeaderPacketBytes = 16 << 20;

    private const byte Continued = 0x01;
    private const byte BeginsStream = 0x02;
    private const byte EndsStream = 0x04;

    private static readonly uint[] CrcTable = MsbFirstCrc.Table(32, 0x04C11DB7);

    public static bool StartsLikeOgg(ReadOnlySpan<byte> head) => head.StartsWith("OggS"u8);

    /// <exception cref="AudioFormatException">Not a well-formed Ogg Opus file, or no audio in it.</exception>
    public static CallerRecording Load(string path, ChannelSelection channel)
    {
        var file = WavLoader.ReadWholeFile(path, MaxFileBytes, "an Ogg file");
        if (OggVorbisDecoder.BeginsVorbis(path, file))
        {
            return OggVorbisDecoder.Load(path, file, channel);
        }

        var stream = OpusStream.Read(path, file);
        var head = stream.Head;

        // Granule positions count 48 kHz samples from the stream's start, pre-skip included, and a stream
        // cut from a longer one starts at a granule above 0 (RFC 7845 4.5); each packet's TOC says how
        // many samples it decodes to, so the length is known before decoding.
        long kept = Math.Min(stream.Audio.Samples, stream.LastGranule is { } last ? last - stream.StartGranule : long.MaxValue) - head.PreSkip;
        if (kept <= 0)
        {
            throw new AudioFormatException(path, "no audio: the Ogg Opus stream ends before its pre-skip");
        }

        return Decode(path, head, stream.Audio, kept, channel, "Ogg Opus");
    }

    /// <summary>
    /// Decodes an Opus stream's audio packets (whatever container held them: Ogg here, WebM in
    /// <see cref="WebmDecoder"/>) with the head's channel mapping, silence where the timestamps left
    /// a gap, drops its pre-skip, keeps <paramref name="kept"/> samples after it and applies its output gain.
    /// </summary>
    internal static CallerRecording Decode(string path, OpusHead head, OpusPackets audio, long kept, ChannelSelection channel, string container)
    {
        OpusMSDecoder decoder;
        try
        {
            // The managed decoder, always: the factory (which Concentus marks this constructor obsolete in favour
            // of) takes a native libopus where one is installed, which reports errors by return code instead
            // of exceptions and decodes differently from machine to machine.
#pragma warning disable CS0618
            decoder = new OpusMSDecoder(Rate, head.Channels, head.Streams, head.CoupledStreams, head.Mapping);
#pragma warning restore CS0618
        }
        catch (Exception e) when (e is OpusException or ArgumentException)
        {
            throw new AudioFormatException(path, $"invalid OpusHead: {head.Streams} streams ({head.CoupledStreams} coupled) for {head.Channels} channels: {e.Message}");
        }

        var picker = new WavLoader.ChannelPicker(path, channel, head.Channels, Rate, kept, MaxPacketSamples);

        // The output gain is applied to the decoder's float output, before any rounding (as opusdec does).
        var scale = 32768.0 * Math.Pow(10, head.OutputGainQ8 / (20.0 * 256));
        var pcm = new float[MaxPacketSamples * head.Channels];
        var values = new double[pcm.Length];
        long decoded = 0, taken = 0;
        var packets = audio.Packets;
        for (var p = 0; p < packets.Count && taken < kept; p++)
        {
            for (var gap = audio.GapBefore(p); gap > 0 && taken < kept;)
            {
                var silence = (int)Math.Min(Math.Min(gap, MaxPacketSamples), kept - taken);
                values.AsSpan(0, silence * head.Channels).Clear();
                picker.Add(values, silence);
                taken += silence;
                gap -= silence;
            }

            int samples;
            try
            {
                samples = decoder.DecodeMultistream(packets[p].Span, pcm, MaxPacketSamples, false);
            }
            catch (Exception e) when (e is OpusException or IndexOutOfRangeException or ArgumentException)
            {
                // Refused below with the packet's number, like a negative count.
                samples = -1;
            }

            if (samples <= 0)
            {
                throw new AudioFormatException(path, $"corrupt Opus packet {p + 1} of the audio: the decoder refused its {packets[p].Length} bytes");
            }

            int from = (int)Math.Clamp(head.PreSkip - decoded, 0, samples);
            int take = (int)Math.Min(samples - from, kept - taken);
            decoded += samples;
            if (take <= 0)
            {
                continue;
            }

            for (var i = 0; i < take * head.Channels; i++)
            {
                values[i] = pcm[(from * head.Channels) + i] * scale;
            }

            picker.Add(values, take);
            taken += take;
        }

        var (samplesAt8k, choice) = picker.Finish();
        var family = head.MappingFamily == 0 ? "" : $", channel mapping family {head.MappingFamily}";
        return new CallerRecording(path, samplesAt8k, Rate, head.Channels, $"{container} (encoded from {head.InputRate} Hz{family})", choice);
    }

    private static string Codec(ReadOnlySpan<byte> first) => first switch
    {
        _ when first.StartsWith("Speex   "u8) => "Speex audio",
        _ when first.StartsWith("\u007fFLAC"u8) => "FLAC audio",
        _ when first.StartsWith("\u0080theora"u8) => "Theora video",
        _ => "neither Opus nor Vorbis",
    };

    /// <summary>Checks the page at <paramref name="at"/> (capture pattern, version, lengths, CRC) and returns its extent.</summary>
    internal static (int Length, int Segments) Page(string path, byte[] file, int at)
    {
        var page = file.AsSpan(at);
        if (page.Length < 27 || !page.StartsWith("OggS"u8))
        {
            throw new AudioFormatException(path, page.Length < 27 && page.StartsWith("OggS"u8[..Math.Min(4, page.Length)])
                ? $"truncated: the Ogg page at byte {at} is cut inside its header"
                : $"corrupt Ogg file: no page starts at byte {at}");
        }

        if (page[4] != 0)
        {
            throw new AudioFormatException(path, $"unsupported Ogg page version {page[4]} at byte {at}");
        }

        int segments = page[26];
        if (page.Length < 27 + segments)
        {
            throw new AudioFormatException(path, $"truncated: the Ogg page at byte {at} is cut inside its segment table");
        }

        var length = PageLength(page);
        if (page.Length < length)
        {
            throw new AudioFormatException(path, $"truncated: the Ogg page at byte {at} declares {length} bytes, the file holds {page.Length}");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(page[22..]) != Crc(page[..length]))
        {
            throw new AudioFormatException(path, $"corrupt Ogg page at byte {at}: its CRC does not match its bytes");
        }

        return (length, segments);
    }

    /// <summary>A page's length from its header and segment table (which <paramref name="page"/> must hold): 27 bytes, the table, and the lacing values' sum.</summary>
    internal static int PageLength(ReadOnlySpan<byte> page)
    {
        int segments = page[26], length = 27 + segments;
        foreach (var lacing in page.Slice(27, segments))
        {
            length += lacing;
        }

        return length;
    }

    /// <summary>Ogg's CRC-32 of a whole page: polynomial 0x04C11DB7, MSB first, initial 0, its CRC field read as zeros.</summary>
    internal static uint Crc(ReadOnlySpan<byte> page)
    {
        uint crc = 0;
        for (var i = 0; i < page.Length; i++)
        {
            var b = i is >= 22 and < 26 ? (byte)0 : page[i];
            crc = (crc << 8) ^ CrcTable[(byte)(crc >> 24) ^ b];
        }

        return crc;
    }
}
