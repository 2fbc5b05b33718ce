using System.Buffers.Binary;
using System.Text.Unicode;

namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// Writes compound RTCP packets (RFC 3550 section 6): every compound starts with an SR or RR and carries
/// an SDES with our CNAME, as section 6.1 requires. Allocation-free; the destination is the caller's
/// buffer (512 bytes holds any packet here with one report block). Throws when it is too small or
/// there are more than 31 blocks: both are the caller's bug, not the network's.
/// </summary>
public static class RtcpWriter
{
    public const byte SenderReportType = 200;
    public const byte ReceiverReportType = 201;
    public const byte SourceDescriptionType = 202;
    public const byte ByeType = 203;

    /// <summary>Most report blocks in one SR or RR (the 5-bit count).</summary>
    public const int MaxBlocks = 31;

    private const int ReportBlockLength = 24;
    private const byte CnameItem = 1;
    private const int MaxItemLength = 255;

    /// <summary>SR + SDES(CNAME). Returns the bytes written.</summary>
    public static int WriteSenderReport(Span<byte> dest, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, uint packetCount, uint octetCount, ReadOnlySpan<RtcpReportBlock> blocks, string cname)
    {
        int length = 28 + (ReportBlockLength * CheckedCount(blocks));
        Span<byte> packet = Take(dest, length);
        WriteHeader(packet, blocks.Length, SenderReportType, length);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(packet[8..], ntpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet[20..], packetCount);
        BinaryPrimitives.WriteUInt32BigEndian(packet[24..], octetCount);
        WriteBlocks(packet[28..], blocks);
        return length + WriteSdes(dest[length..], ssrc, cname);
    }

    /// <summary>RR + SDES(CNAME), for a participant that has not sent RTP since the last report. Returns the bytes written.</summary>
    public static int WriteReceiverReport(Span<byte> dest, uint ssrc, ReadOnlySpan<RtcpReportBlock> blocks, string cname)
    {
        int length = 8 + (ReportBlockLength * CheckedCount(blocks));
        Span<byte> packet = Take(dest, length);
        WriteHeader(packet, blocks.Length, ReceiverReportType, length);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], ssrc);
        WriteBlocks(packet[8..], blocks);
        return length + WriteSdes(dest[length..], ssrc, cname);
    }

    /// <summary>RR (with <paramref name="blocks"/>, may be empty) + SDES(CNAME) + BYE with an optional reason. Returns the bytes written.</summary>
    public static int WriteBye(Span<byte> dest, uint ssrc, string cname, string? reason = null, ReadOnlySpan<RtcpReportBlock> blocks = default)
    {
        int written = WriteReceiverReport(dest, ssrc, blocks, cname);
        Span<byte> reasonBytes = stackalloc byte[MaxItemLength];
        int reasonLength = reason is null ? 0 : Utf8Prefix(reason, reasonBytes);
        int length = 8 + (reason is null ? 0 : Pad4(1 + reasonLength));
        Span<byte> packet = Take(dest[written..], length);
        packet.Clear();
        WriteHeader(packet, 1, ByeType, length);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], ssrc);
        if (reason is not null)
        {
            packet[8] = (byte)reasonLength;
            reasonBytes[..reasonLength].CopyTo(packet[9..]);
        }

        return written + length;
    }

    private static int WriteSdes(Span<byte> dest, uint ssrc, string cname)
    {
        ArgumentNullException.ThrowIfNull(cname);
        Span<byte> text = stackalloc byte[MaxItemLength];
        int textLength = Utf8Prefix(cname, text);

        // Chunk: SSRC, CNAME item (type, length, text), then at least one null octet up to a 32-bit boundary.
        int length = 4 + Pad4(4 + 2 + textLength + 1);
        Span<byte> packet = Take(dest, length);
        packet.Clear();
        WriteHeader(packet, 1, SourceDescriptionType, length);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], ssrc);
        packet[8] = CnameItem;
        packet[9] = (byte)textLength;
        text[..textLength].CopyTo(packet[10..]);
        return length;
    }

    private static void WriteBlocks(Span<byte> dest, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        foreach (RtcpReportBlock block in blocks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(dest, block.Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(dest[4..], ((uint)block.FractionLost << 24) | ((uint)block.CumulativeLost & 0xFFFFFF));
            BinaryPrimitives.WriteUInt32BigEndian(dest[8..], block.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(dest[12..], block.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(dest[16..], block.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(dest[20..], block.DelaySinceLastSenderReport);
            dest = dest[ReportBlockLength..];
        }
    }

    private static void WriteHeader(Span<byte> packet, int count, byte type, int length)
    {
        packet[0] = (byte)(0x80 | count);
        packet[1] = type;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)((length / 4) - 1));
    }

    private static int CheckedCount(ReadOnlySpan<RtcpReportBlock> blocks)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, MaxBlocks, nameof(blocks));
        return blocks.Length;
    }

    private static Span<byte> Take(Span<byte> dest, int length) => dest.Length >= length
        ? dest[..length]
        : throw new ArgumentException($"RTCP needs {length} more bytes, destination has {dest.Length}", nameof(dest));

    // The longest prefix of whole characters that fits in an 8-bit item length.
    private static int Utf8Prefix(string text, Span<byte> destination)
    {
        Utf8.FromUtf16(text, destination, out _, out int written, replaceInvalidSequences: true, isFinalBlock: true);
        return written;
    }

    private static int Pad4(int length) => (length + 3) & ~3;
}
