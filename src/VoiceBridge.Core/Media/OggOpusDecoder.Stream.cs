using System.Buffers.Binary;

namespace VoiceBridge.Media;

internal static partial class OggOpusDecoder
{
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

        private OpusStream(string path, OpusHead head)
        {
            Head = head;
            Audio = new OpusPackets(path);
        }

        public OpusHead Head { get; private set; }

        /// <summary>The audio packets, with the gaps between pages' granule positions that no packet fills.</summary>
        public OpusPackets Audio { get; }

        /// <summary>Where the stream starts on the granule clock: above 0 for a stream cut from a longer one.</summary>
        public long StartGranule { get; private set; }

        /// <summary>The granule position of the last page a packet ends on (null when none says).</summary>
        public long? LastGranule { get; private set; }

        public static OpusStream Read(string path, byte[] file)
        {
            var stream = new OpusStream(path, null!);
            for (var at = 0; at < file.Length;)
            {
                var page = Page(path, file, at);
                stream.Take(path, file, at, page);
                at += page.Length;
            }

            if (stream._serial is null)
            {
                throw new AudioFormatException(path, $"unsupported Ogg file: {stream._otherCodec ?? "no stream in it"}; only Opus and Vorbis are decoded (convert it to WAV first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-converted.wav)");
            }

            if (stream._spanning.Count > 0)
            {
                throw new AudioFormatException(path, "truncated: the file ends inside an Opus packet that continues on a page it does not hold");
            }

            if (stream.Audio.Count == 0)
            {
                throw new AudioFormatException(path, "no audio: the Ogg Opus stream holds no audio packets");
            }

            return stream;
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
                    throw new AudioFormatException(path, $"unsupported Ogg file: {_otherCodec ?? "its first page begins no stream"}; only Opus and Vorbis are decoded (convert it to WAV first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-converted.wav)");
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
                var start = granule - Audio.Samples;
                if (start < 0 && !_ended)
                {
                    throw new AudioFormatException(path, $"corrupt Ogg Opus stream: the first audio page (byte {at}) has granule position {granule}, below the {Audio.Samples} samples that end on it");
                }

                StartGranule = Math.Max(0, start);
            }
            else if (granule - StartGranule - Audio.Samples is var gap and > 0)
            {
                // The granule says more time passed than this page's packets fill: a gap (DTX) before them.
                Audio.AddGap(Math.Max(0, Audio.Count - packetsEnded), gap);
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

            Audio.Add(packet);
        }
    }

    /// <summary>The identification header (RFC 7845 5.1).</summary>
    internal sealed record OpusHead(int Channels, int PreSkip, uint InputRate, short OutputGainQ8, int MappingFamily, int Streams, int CoupledStreams, byte[] Mapping)
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
