using System.Buffers.Binary;
using Concentus;
using Concentus.Structs;

namespace VoiceBridge.Media;

/// <summary>
/// Ogg Opus recordings (RFC 7845: what WebRTC recorders such as LiveKit's egress, Firefox's
/// MediaRecorder and opusenc write) decoded with Concentus's managed decoder at 48 kHz into the call's
/// stream. Pages are checked (capture pattern, version, CRC, sequence, continuation) and a bad one is
/// named by its byte offset; the Opus stream is decoded (streams of other codecs multiplexed beside it
/// are skipped), its pre-skip removed, its end trimmed by granule position (a stream cut from a longer
/// one included) and its output gain applied. Channel mapping families 0 and 1 (mono, stereo, surround)
/// are decoded; another family, a chained second stream, or an Ogg file of another codec is refused by name.
/// </summary>
internal static class OggOpusDecoder
{
    private const int Rate = 48000;

    /// <summary>The longest Opus packet: 120 ms at 48 kHz, per channel.</summary>
    private const int MaxPacketSamples = 5760;

    /// <summary>
    /// The largest Ogg file read [1 GiB]: 4 hours of one Opus stream at 510 kb/s, its highest rate, is
    /// 918 MB (a surround file of several streams at such rates is refused: split or convert it first).
    /// </summary>
    private const long MaxFileBytes = 1L << 30;

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
        var stream = OpusStream.Read(path, file);
        var head = stream.Head;

        // Granule positions count 48 kHz samples from the stream's start, pre-skip included, and a stream
        // cut from a longer one starts at a granule above 0 (RFC 7845 4.5); each packet's TOC says how
        // many samples it decodes to, so the length is known before decoding.
        long kept = Math.Min(stream.TotalSamples, stream.LastGranule is { } last ? last - stream.StartGranule : long.MaxValue) - head.PreSkip;
        if (kept <= 0)
        {
            throw new AudioFormatException(path, "no audio: the Ogg Opus stream ends before its pre-skip");
        }

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
        for (var p = 0; p < stream.AudioPackets.Count && taken < kept; p++)
        {
            int samples;
            try
            {
                samples = decoder.DecodeMultistream(stream.AudioPackets[p].Span, pcm, MaxPacketSamples, false);
            }
            catch (Exception e) when (e is OpusException or IndexOutOfRangeException or ArgumentException)
            {
                // Refused below with the packet's number, like a negative count.
                samples = -1;
            }

            if (samples <= 0)
            {
                throw new AudioFormatException(path, $"corrupt Opus packet {p + 1} of the audio: the decoder refused its {stream.AudioPackets[p].Length} bytes");
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

    /// <summary>
    /// The file's Opus stream (RFC 3533 pages, RFC 7845 packets): its head and audio packets (slices of
    /// the file, copied only when a packet spans pages) and the granule positions that trim it. Pages of
    /// other logical streams multiplexed beside it are skipped; a missing page, a continuation that does
    /// not continue, a second Opus stream chained after it or more than the longest recording are errors.
    /// </summary>
    private sealed class OpusStream
    {
        private readonly List<byte> _spanning = [];
        private uint? _serial;
        private uint _sequence;
        private bool _ended;
        private int _packets;
        private string? _otherCodec;

        private OpusStream(OpusHead head) => Head = head;

        public OpusHead Head { get; private set; }

        public List<ReadOnlyMemory<byte>> AudioPackets { get; } = [];

        /// <summary>48 kHz samples the audio packets decode to, by their TOCs.</summary>
        public long TotalSamples { get; private set; }

        /// <summary>Where the stream starts on the granule clock: above 0 for a stream cut from a longer one.</summary>
        public long StartGranule { get; private set; }

        /// <summary>The granule position of the last page a packet ends on (null when none says).</summary>
        public long? LastGranule { get; private set; }

        public static OpusStream Read(string path, byte[] file)
        {
            var stream = new OpusStream(null!);
            for (var at = 0; at < file.Length;)
            {
                var page = Page(path, file, at);
                stream.Take(path, file, at, page);
                at += page.Length;
            }

            if (stream._serial is null)
            {
                throw new AudioFormatException(path, $"unsupported Ogg file: {stream._otherCodec ?? "no stream in it"}; only Opus is decoded (convert it to WAV first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-converted.wav)");
            }

            if (stream._spanning.Count > 0)
            {
                throw new AudioFormatException(path, "truncated: the file ends inside an Opus packet that continues on a page it does not hold");
            }

            if (stream.AudioPackets.Count == 0)
            {
                throw new AudioFormatException(path, "no audio: the Ogg Opus stream holds no audio packets");
            }

            return stream;
        }

        /// <summary>Checks the page at <paramref name="at"/> (capture pattern, version, lengths, CRC) and returns its extent.</summary>
        private static (int Length, int Segments) Page(string path, byte[] file, int at)
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

            var length = 27 + segments;
            foreach (var lacing in page.Slice(27, segments))
            {
                length += lacing;
            }

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

        private void Take(string path, byte[] file, int at, (int Length, int Segments) extent)
        {
            var page = file.AsSpan(at, extent.Length);
            var flags = page[5];
            var serial = BinaryPrimitives.ReadUInt32LittleEndian(page[14..]);
            var sequence = BinaryPrimitives.ReadUInt32LittleEndian(page[18..]);
            var lacing = page.Slice(27, extent.Segments);
            var bodyStart = at + 27 + extent.Segments;
            if (_serial is null)
            {
                if ((flags & BeginsStream) == 0)
                {
                    // Every stream's first page comes before any other page (RFC 3533 4): none was Opus.
                    throw new AudioFormatException(path, $"unsupported Ogg file: {_otherCodec ?? "its first page begins no stream"}; only Opus is decoded (convert it to WAV first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-converted.wav)");
                }

                var first = file.AsSpan(bodyStart, extent.Length - 27 - extent.Segments);
                if (!first.StartsWith("OpusHead"u8))
                {
                    _otherCodec ??= Codec(first);
                    return;
                }

                _serial = serial;
                _sequence = sequence - 1;
            }
            else if (serial != _serial)
            {
                if (_ended && (flags & BeginsStream) != 0 && file.AsSpan(bodyStart).StartsWith("OpusHead"u8))
                {
                    throw new AudioFormatException(path, $"unsupported Ogg file: a second Opus stream is chained after the first at byte {at}; split it into one file a stream first");
                }

                return;
            }

            if (_ended)
            {
                throw new AudioFormatException(path, $"corrupt Ogg stream: a page at byte {at} follows the page that ended its stream");
            }

            if (sequence != _sequence + 1)
            {
                throw new AudioFormatException(path, $"corrupt Ogg stream: a page is missing before byte {at} (sequence {_sequence} then {sequence})");
            }

            if (((flags & Continued) != 0) != (_spanning.Count > 0))
            {
                throw new AudioFormatException(path, $"corrupt Ogg stream: the page at byte {at} {((flags & Continued) != 0 ? "continues a packet that the page before it ended" : "does not continue the packet the page before it left open")}");
            }

            _sequence = sequence;
            _ended = (flags & EndsStream) != 0;
            var packetsEnded = 0;
            var offset = bodyStart;
            var packetStart = offset;
            foreach (var l in lacing)
            {
                offset += l;
                if (l == 255)
                {
                    continue;
                }

                ReadOnlyMemory<byte> packet;
                if (_spanning.Count > 0)
                {
                    _spanning.AddRange(file.AsSpan(packetStart, offset - packetStart));
                    packet = _spanning.ToArray();
                    _spanning.Clear();
                }
                else
                {
                    packet = file.AsMemory(packetStart, offset - packetStart);
                }

                packetStart = offset;
                packetsEnded++;
                Packet(path, packet);
            }

            if (packetStart < offset)
            {
                _spanning.AddRange(file.AsSpan(packetStart, offset - packetStart));
                var limit = _packets < 2 ? MaxHeaderPacketBytes : Head.Streams * MaxStreamPacketBytes;
                if (_spanning.Count > limit)
                {
                    throw new AudioFormatException(path, $"corrupt Ogg Opus stream: a packet continued to the page at byte {at} is over {limit} bytes, longer than any {(_packets < 2 ? "header" : "Opus packet")}");
                }
            }

            var granule = BinaryPrimitives.ReadInt64LittleEndian(page[6..]);
            if (packetsEnded == 0 || granule == -1 || _packets <= 2)
            {
                return;
            }

            if (LastGranule is null)
            {
                // The first audio page: its granule less the samples of the packets ended so far is where the stream starts.
                var start = granule - TotalSamples;
                if (start < 0 && !_ended)
                {
                    throw new AudioFormatException(path, $"corrupt Ogg Opus stream: the first audio page (byte {at}) has granule position {granule}, below the {TotalSamples} samples that end on it");
                }

                StartGranule = Math.Max(0, start);
            }

            LastGranule = granule;
        }

        /// <summary>A whole packet: the head, the tags (skipped), then audio, its duration added up and capped.</summary>
        private void Packet(string path, ReadOnlyMemory<byte> packet)
        {
            _packets++;
            if (_packets == 1)
            {
                Head = OpusHead.Parse(path, packet.Span);
                return;
            }

            if (_packets == 2)
            {
                if (!packet.Span.StartsWith("OpusTags"u8))
                {
                    throw new AudioFormatException(path, "invalid Ogg Opus stream: its second packet is not the OpusTags header");
                }

                return;
            }

            var samples = PacketSamples(path, packet.Span, AudioPackets.Count + 1);
            TotalSamples += samples;
            if (TotalSamples > WavLoader.ChannelPicker.MaxRecordingSeconds * Rate)
            {
                throw new AudioFormatException(path, $"too long: more than {WavLoader.ChannelPicker.MaxRecordingSeconds / 3600} hours of Opus audio, a recording may hold at most that");
            }

            AudioPackets.Add(packet);
        }
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
