using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace VoiceBridge.Media;

/// <summary>
/// WebM (Matroska) recordings of Opus: what a browser's MediaRecorder writes by default and what
/// ffmpeg writes for <c>.webm</c>. The EBML elements are walked flat (a master element's children
/// follow its header), so the unknown-size Segment and Clusters of a live recording read like sized
/// ones; every other element must have a size within the file. The first Opus track's blocks
/// (SimpleBlock or Block, unlaced) are decoded by <see cref="OggOpusDecoder.Decode"/>: the OpusHead in
/// its CodecPrivate gives the channel mapping and pre-skip, and a DiscardPadding on the last block
/// trims the end. A block that starts more than <see cref="GapNs"/> after the end of the one before
/// it (a WebRTC recording with DTX sends nothing while the caller is silent) is preceded by that much
/// silence, so the caller's words keep their times. A file of another codec (Vorbis, AAC, PCM) or
/// of video only is refused by name.
/// </summary>
internal static class WebmDecoder
{
    /// <summary>The most a DiscardPadding trims: one Opus packet's longest duration, 120 ms (a larger value is taken as that).</summary>
    private const long MaxPaddingNs = 120_000_000;

    /// <summary>
    /// The least difference between a block's time and the end of the block before it taken as a
    /// gap [40 ms]: block times are in milliseconds and a browser stamps capture times, which jitter
    /// by a few, while a DTX pause is at least a 20 ms frame and mostly far more.
    /// </summary>
    private const long GapNs = 40_000_000;

    private const uint Segment = 0x18538067, Cluster = 0x1F43B675, Tracks = 0x1654AE6B, TrackEntry = 0xAE, Audio = 0xE1, BlockGroup = 0xA0, Info = 0x1549A966;
    private const uint TrackNumber = 0xD7, CodecId = 0x86, CodecPrivate = 0x63A2, SimpleBlock = 0xA3, Block = 0xA1, DiscardPadding = 0x75A2;
    private const uint TimecodeScale = 0x2AD7B1, ClusterTimecode = 0xE7;

    public static bool StartsLikeWebm(ReadOnlySpan<byte> head) => head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]);

    /// <exception cref="AudioFormatException">Not a well-formed WebM file, no Opus track, or no audio in it.</exception>
    public static CallerRecording Load(string path, ChannelSelection channel)
    {
        var file = WavLoader.ReadWholeFile(path, OggOpusDecoder.MaxFileBytes, "a WebM file");
        var (tracks, blocks) = Walk(path, file);
        var opus = tracks.FirstOrDefault(t => t.Codec == "A_OPUS")
            ?? throw new AudioFormatException(path, tracks.FirstOrDefault(t => t.Codec.StartsWith("A_", StringComparison.Ordinal)) is { } other
                ? $"unsupported WebM audio: codec {other.Codec}; only Opus is decoded (convert it first, e.g. ffmpeg -i {Path.GetFileName(path)} -ac 1 {Path.GetFileNameWithoutExtension(path)}-converted.wav)"
                : "no audio: the WebM file has no audio track");
        if (opus.Private is not { } codecPrivate || !codecPrivate.AsSpan().StartsWith("OpusHead"u8))
        {
            throw new AudioFormatException(path, $"invalid WebM Opus track {opus.Number}: its CodecPrivate is not an OpusHead");
        }

        var head = OggOpusDecoder.OpusHead.Parse(path, codecPrivate);
        var audio = new OpusPackets(path);
        long discard = 0;
        long? endNs = null;
        foreach (var block in blocks)
        {
            if (block.Track != opus.Number)
            {
                continue;
            }

            if (block.TimeNs - endNs is > GapNs and var gapNs)
            {
                audio.AddGap(audio.Count, Samples48k(gapNs));
            }

            var before = audio.Samples;
            audio.Add(block.Frame);
            endNs = block.TimeNs + ((audio.Samples - before) * 1_000_000_000 / 48_000);

            // DiscardPadding (nanoseconds) trims the end of its block; honoured on the last one, where encoders write it.
            discard = block.Padding is > 0 ? Samples48k(Math.Min(block.Padding.Value, MaxPaddingNs)) : 0;
        }

        var kept = audio.Samples - head.PreSkip - discard;
        if (audio.Count == 0 || kept <= 0)
        {
            throw new AudioFormatException(path, audio.Count == 0 ? $"no audio: the WebM Opus track {opus.Number} holds no blocks" : "no audio: the WebM Opus track ends before its pre-skip");
        }

        return OggOpusDecoder.Decode(path, head, audio, kept, channel, "WebM Opus");
    }

    private static long Samples48k(long ns) => ((ns * 48_000) + 500_000_000) / 1_000_000_000;

    /// <summary>A block of a track: its one frame, its time (nanoseconds from the segment's start) and its DiscardPadding (a Block in a BlockGroup).</summary>
    private sealed record TrackBlock(ulong Track, ReadOnlyMemory<byte> Frame, long TimeNs, long? Padding);

    private sealed class Track
    {
        public ulong Number { get; set; }

        public string Codec { get; set; } = "";

        public byte[]? Private { get; set; }
    }

    /// <summary>The tracks and, in file order, every block.</summary>
    private static (List<Track> Tracks, List<TrackBlock> Blocks) Walk(string path, byte[] file)
    {
        var tracks = new List<Track>();
        var blocks = new List<TrackBlock>();
        Track? current = null;
        long scale = 1_000_000, cluster = 0;
        for (long at = 0; at < file.Length;)
        {
            var (id, idLength) = Vint(path, file, at, "element ID", keepMarker: true);
            var (size, sizeLength) = Vint(path, file, at + idLength, "element size", keepMarker: false);
            var data = at + idLength + sizeLength;
            var unknown = size == (1UL << (7 * sizeLength)) - 1;
            if (id is Segment or Cluster or Tracks or TrackEntry or Audio or BlockGroup or Info)
            {
                if (id == TrackEntry)
                {
                    tracks.Add(current = new Track());
                }

                at = data;
                continue;
            }

            if (unknown || size > (ulong)(file.Length - data))
            {
                throw new AudioFormatException(path, unknown
                    ? $"invalid WebM file: element 0x{id:X} at byte {at} has an unknown size (only Segment and Cluster may)"
                    : $"truncated: the WebM element 0x{id:X} at byte {at} declares {size} bytes, the file holds {file.Length - data}");
            }

            var body = file.AsMemory((int)data, (int)size);
            switch (id)
            {
                case TrackNumber when current is not null:
                    current.Number = Unsigned(body.Span);
                    break;
                case CodecId when current is not null:
                    current.Codec = Encoding.ASCII.GetString(body.Span).TrimEnd('\0');
                    break;
                case CodecPrivate when current is not null:
                    current.Private = body.ToArray();
                    break;
                case TimecodeScale:
                    scale = (long)Math.Clamp(Unsigned(body.Span), 1, 1_000_000_000);
                    break;
                case ClusterTimecode:
                    cluster = (long)Math.Min(Unsigned(body.Span), long.MaxValue / 1_000_000_000 / 2);
                    break;
                case SimpleBlock or Block:
                    var (track, relative, frame) = BlockFrame(path, body, at);
                    blocks.Add(new TrackBlock(track, frame, (cluster + relative) * scale, null));
                    break;
                case DiscardPadding when blocks.Count > 0:
                    blocks[^1] = blocks[^1] with { Padding = Signed(body.Span) };
                    break;
            }

            at = data + (long)size;
        }

        return (tracks, blocks);
    }

    /// <summary>A block's track number, then a signed 16-bit timecode relative to its cluster's and flags (Matroska 10.1), then its one frame.</summary>
    private static (ulong Track, short Relative, ReadOnlyMemory<byte> Frame) BlockFrame(string path, ReadOnlyMemory<byte> block, long at)
    {
        var (track, length) = Vint(path, block.Span, 0, "block track number", keepMarker: false);
        if (length + 3 > block.Length)
        {
            throw new AudioFormatException(path, $"invalid WebM block at byte {at}: {block.Length} bytes, too short for its header");
        }

        var flags = block.Span[length + 2];
        if ((flags & 0x06) != 0)
        {
            throw new AudioFormatException(path, $"unsupported WebM block at byte {at}: laced frames (browsers and ffmpeg write one Opus frame a block)");
        }

        return (track, BinaryPrimitives.ReadInt16BigEndian(block.Span[length..]), block[(length + 3)..]);
    }

    /// <summary>An EBML variable-length integer: its length from the first byte's leading zeros, its marker bit kept (IDs) or dropped (sizes).</summary>
    private static (ulong Value, int Length) Vint(string path, ReadOnlySpan<byte> bytes, long at, string what, bool keepMarker)
    {
        if (at >= bytes.Length)
        {
            throw new AudioFormatException(path, $"truncated: the WebM file ends inside an {what} at byte {at}");
        }

        var first = bytes[(int)at];
        var length = BitOperations.LeadingZeroCount((uint)first) - 23;
        if (first == 0 || length > 8 || at + length > bytes.Length)
        {
            throw new AudioFormatException(path, first == 0 ? $"invalid WebM file: no {what} at byte {at}" : $"truncated: the WebM file ends inside an {what} at byte {at}");
        }

        ulong value = keepMarker ? first : (ulong)(first & (0xFF >> length));
        for (var i = 1; i < length; i++)
        {
            value = (value << 8) | bytes[(int)at + i];
        }

        return (value, length);
    }

    private static ulong Unsigned(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        foreach (var b in bytes[..Math.Min(bytes.Length, 8)])
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static long Signed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is 0 or > 8)
        {
            return 0;
        }

        Span<byte> wide = stackalloc byte[8];
        wide.Fill((byte)((bytes[0] & 0x80) != 0 ? 0xFF : 0));
        bytes.CopyTo(wide[(8 - bytes.Length)..]);
        return BinaryPrimitives.ReadInt64BigEndian(wide);
    }
}
