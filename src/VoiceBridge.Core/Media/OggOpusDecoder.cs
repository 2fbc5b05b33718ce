using System.Buffers.Binary;
using Concentus;
using Concentus.Structs;

namespace VoiceBridge.Media;

/// <summary>
/// Ogg Opus recordings (RFC 7845: what WebRTC recorders such as LiveKit's egress, Firefox's
/// MediaRecorder and opusenc write) decoded with Concentus at 48 kHz into the call's stream. Pages are
/// checked (capture pattern, version, CRC) and a bad one is named by its byte offset; the first Opus
/// stream is decoded (others multiplexed beside it are skipped), its pre-skip removed, its end trimmed
/// to the last page's granule position and its output gain applied. Channel mapping families 0 and 1
/// (mono, stereo, surround) are decoded; another family, or an Ogg file of another codec, is refused by name.
/// </summary>
internal static class OggOpusDecoder
{
    private const int Rate = 48000;

    /// <summary>The longest Opus packet: 120 ms at 48 kHz, per channel.</summary>
    private const int MaxPacketSamples = 5760;

    private static readonly uint[] CrcTable = BuildCrcTable();

    public static bool StartsLikeOgg(ReadOnlySpan<byte> head) => head.StartsWith("OggS"u8);

    /// <exception cref="AudioFormatException">Not a well-formed Ogg Opus file, or no audio in it.</exception>
    public static CallerRecording Load(string path, ChannelSelection channel)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot read the file: {ex.Message}");
        }

        var packets = StreamPackets(path, file, out var lastGranule);
        if (packets.Count == 0 || !packets[0].Span.StartsWith("OpusHead"u8))
        {
            throw new AudioFormatException(path, $"unsupported Ogg file: {Codec(packets.Count > 0 ? packets[0].Span : [])}; only Opus is decoded (convert it to WAV first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}.wav)");
        }

        var head = OpusHead.Parse(path, packets[0].Span);
        if (packets.Count < 3)
        {
            throw new AudioFormatException(path, "no audio: the Ogg Opus stream holds no audio packets");
        }

        // Granule positions count 48 kHz samples from the stream's start, pre-skip included (RFC 7845 4.5);
        // each packet's TOC says how many it decodes to, so the length is known before decoding.
        long total = 0;
        for (var p = 2; p < packets.Count; p++)
        {
            total += PacketSamples(path, packets[p].Span, p - 1);
        }

        long kept = Math.Min(total, lastGranule ?? long.MaxValue) - head.PreSkip;
        if (kept <= 0)
        {
            throw new AudioFormatException(path, "no audio: the Ogg Opus stream ends before its pre-skip");
        }

        var decoder = CreateDecoder(path, head);
        var picker = new WavLoader.ChannelPicker(path, channel, head.Channels, Rate, kept, MaxPacketSamples);
        var gain = Math.Pow(10, head.OutputGainQ8 / (20.0 * 256));
        var pcm = new short[MaxPacketSamples * head.Channels];
        var values = new double[pcm.Length];
        long decoded = 0, taken = 0;
        for (var p = 2; p < packets.Count && taken < kept; p++)
        {
            int samples;
            try
            {
                samples = decoder.DecodeMultistream(packets[p].Span, pcm, MaxPacketSamples, false);
            }
            catch (Exception e) when (e is OpusException or IndexOutOfRangeException or ArgumentException)
            {
                throw new AudioFormatException(path, $"corrupt Opus packet {p - 1} of the audio: {e.Message}");
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
                values[i] = pcm[(from * head.Channels) + i] * gain;
            }

            picker.Add(values, take);
            taken += take;
        }

        var (samplesAt8k, choice) = picker.Finish();
        var family = head.MappingFamily == 0 ? "" : $", channel mapping family {head.MappingFamily}";
        return new CallerRecording(path, samplesAt8k, Rate, head.Channels, $"Ogg Opus (encoded from {head.InputRate} Hz{family})", choice);
    }

    /// <summary>The 48 kHz samples a packet decodes to, from its TOC and frame count (RFC 6716 3.1-3.2).</summary>
    private static int PacketSamples(string path, ReadOnlySpan<byte> packet, int number)
    {
        int samples;
        try
        {
            samples = packet.IsEmpty ? 0 : OpusPacketInfo.GetNumSamples(packet, Rate);
        }
        catch (Exception e) when (e is OpusException or IndexOutOfRangeException or ArgumentException)
        {
            samples = -1;
        }

        if (samples is <= 0 or > MaxPacketSamples)
        {
            throw new AudioFormatException(path, $"corrupt Opus packet {number} of the audio: {packet.Length} bytes that are not an Opus packet of 2.5 to 120 ms");
        }

        return samples;
    }

    private static IOpusMultiStreamDecoder CreateDecoder(string path, OpusHead head)
    {
        try
        {
            return OpusCodecFactory.CreateMultiStreamDecoder(Rate, head.Channels, head.Streams, head.CoupledStreams, head.Mapping);
        }
        catch (Exception e) when (e is OpusException or ArgumentException)
        {
            throw new AudioFormatException(path, $"invalid OpusHead: {head.Streams} streams ({head.CoupledStreams} coupled) for {head.Channels} channels: {e.Message}");
        }
    }

    /// <summary>
    /// The packets of the file's first logical stream, pages checked on the way; <paramref name="lastGranule"/>
    /// is the granule position of its last page that ends a packet (null when none says).
    /// </summary>
    private static List<ReadOnlyMemory<byte>> StreamPackets(string path, byte[] file, out long? lastGranule)
    {
        var packets = new List<ReadOnlyMemory<byte>>();
        var partial = new List<byte>();
        uint? serial = null;
        lastGranule = null;
        for (var at = 0; at < file.Length;)
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

            var lacing = page.Slice(27, segments);
            var bodyLength = 0;
            foreach (var l in lacing)
            {
                bodyLength += l;
            }

            var pageLength = 27 + segments + bodyLength;
            if (page.Length < pageLength)
            {
                throw new AudioFormatException(path, $"truncated: the Ogg page at byte {at} declares {pageLength} bytes, the file holds {page.Length}");
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(page[22..]) != Crc(page[..pageLength]))
            {
                throw new AudioFormatException(path, $"corrupt Ogg page at byte {at}: its CRC does not match its bytes");
            }

            var pageSerial = BinaryPrimitives.ReadUInt32LittleEndian(page[14..]);
            serial ??= pageSerial;
            if (pageSerial == serial)
            {
                var body = page.Slice(27 + segments, bodyLength);
                var offset = 0;
                var endsPacket = false;
                foreach (var l in lacing)
                {
                    partial.AddRange(body.Slice(offset, l));
                    offset += l;
                    endsPacket = l < 255;
                    if (endsPacket)
                    {
                        packets.Add(partial.ToArray());
                        partial.Clear();
                    }
                }

                var granule = BinaryPrimitives.ReadInt64LittleEndian(page[6..]);
                if (endsPacket && granule >= 0)
                {
                    lastGranule = granule;
                }
            }

            at += pageLength;
        }

        return packets;
    }

    private static string Codec(ReadOnlySpan<byte> first) => first switch
    {
        _ when first.StartsWith("\u0001vorbis"u8) => "Vorbis audio",
        _ when first.StartsWith("Speex   "u8) => "Speex audio",
        _ when first.StartsWith("\u007fFLAC"u8) => "FLAC audio",
        _ when first.StartsWith("\u0080theora"u8) => "Theora video",
        _ => "not Opus (no OpusHead)",
    };

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

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var r = i << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }

            table[i] = r;
        }

        return table;
    }

    /// <summary>The identification header (RFC 7845 5.1).</summary>
    private sealed record OpusHead(int Channels, int PreSkip, uint InputRate, short OutputGainQ8, int MappingFamily, int Streams, int CoupledStreams, byte[] Mapping)
    {
        public static OpusHead Parse(string path, ReadOnlySpan<byte> packet)
        {
            if (packet.Length < 19)
            {
                throw new AudioFormatException(path, $"invalid OpusHead: {packet.Length} bytes, at least 19");
            }

            if (packet[8] >> 4 != 0)
            {
                throw new AudioFormatException(path, $"unsupported Ogg Opus version {packet[8]} (major version 0 only)");
            }

            int channels = packet[9], family = packet[18];
            var preSkip = BinaryPrimitives.ReadUInt16LittleEndian(packet[10..]);
            var inputRate = BinaryPrimitives.ReadUInt32LittleEndian(packet[12..]);
            var gain = BinaryPrimitives.ReadInt16LittleEndian(packet[16..]);
            if (channels == 0)
            {
                throw new AudioFormatException(path, "invalid OpusHead: 0 channels");
            }

            switch (family)
            {
                case 0 when channels <= 2:
                    return new OpusHead(channels, preSkip, inputRate, gain, family, 1, channels - 1, channels == 1 ? [0] : [0, 1]);
                case 0:
                    throw new AudioFormatException(path, $"invalid OpusHead: channel mapping family 0 with {channels} channels (1 or 2)");
                case 1 when channels <= 8:
                    if (packet.Length < 21 + channels)
                    {
                        throw new AudioFormatException(path, $"invalid OpusHead: {packet.Length} bytes, its channel mapping table needs {21 + channels}");
                    }

                    return new OpusHead(channels, preSkip, inputRate, gain, family, packet[19], packet[20], packet.Slice(21, channels).ToArray());
                default:
                    throw new AudioFormatException(path, $"unsupported Ogg Opus channel mapping family {family} with {channels} channels (families 0 and 1, up to 8 channels)");
            }
        }
    }
}
