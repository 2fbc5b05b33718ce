using System.Buffers.Binary;

namespace VoiceBridge.Media;

internal static partial class OggVorbisDecoder
{
    /// <summary>
    /// Every page whole and matching its CRC; the Vorbis stream's pages in sequence, none after the one
    /// that ended it and no second Vorbis stream chained after it. Returns the stream's first three
    /// packets (its identification, comment and setup headers), its serial number and its last granule
    /// position.
    /// </summary>
    private static VorbisPages CheckPages(string path, byte[] file)
    {
        uint? serial = null;
        uint sequence = 0;
        var ended = false;
        var packets = 0;
        var lastGranule = -1L;
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
                var granule = BinaryPrimitives.ReadInt64LittleEndian(page[6..]);
                CheckGranule(path, at, granule);
                if (granule != -1 && granule < lastGranule)
                {
                    throw new AudioFormatException(path, $"corrupt Ogg Vorbis stream: the page at byte {at} has granule position {granule}, before the {lastGranule} of the page ahead of it");
                }

                lastGranule = granule == -1 ? lastGranule : granule;
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

        return new VorbisPages([.. headers.Select(h => h.ToArray())], serial!.Value, lastGranule);
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
    /// Gives every page of the stream that ends an audio packet the granule position <paramref name="maxPacketSamples"/>
    /// times the audio packets ended so far (a bound: no packet decodes to more), and a new CRC. NVorbis trims
    /// the last packet by its page's granule and, when that is below the samples it has already decoded,
    /// loops forever (found by the ogg fuzz target; -1 everywhere hangs it too), so the real last granule
    /// (<see cref="VorbisPages.LastGranule"/>) is applied by <see cref="Decode"/> instead.
    /// </summary>
    private static void ReplaceGranules(byte[] file, uint serial, int maxPacketSamples)
    {
        long packets = 0;
        for (var at = 0; at < file.Length;)
        {
            // CheckPages has checked every page whole and its CRC: only the length is needed here.
            var length = OggOpusDecoder.PageLength(file.AsSpan(at));
            var page = file.AsSpan(at, length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(page[14..]) == serial)
            {
                foreach (var lacing in page.Slice(27, page[26]))
                {
                    packets += lacing < 255 ? 1 : 0;
                }

                if (packets > 3 && BinaryPrimitives.ReadInt64LittleEndian(page[6..]) != -1)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(page[6..], Math.Min((packets - 3) * maxPacketSamples, int.MaxValue));
                    BinaryPrimitives.WriteUInt32LittleEndian(page[22..], OggOpusDecoder.Crc(page));
                }
            }

            at += length;
        }
    }

    /// <summary>What <see cref="CheckPages"/> found: the three header packets, the stream's serial number and its last granule position (-1 for none).</summary>
    private sealed record VorbisPages(byte[][] Headers, uint Serial, long LastGranule);
}
