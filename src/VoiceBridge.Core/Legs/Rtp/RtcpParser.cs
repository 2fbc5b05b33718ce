using System.Buffers.Binary;
using System.Text;

namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// Reads compound RTCP packets (RFC 3550 section 6): SR, RR, SDES (the CNAME) and BYE; other types
/// (APP, feedback, XR) are skipped by their length. Never throws on untrusted bytes: a malformed compound
/// gives a status (see <see cref="Describe"/>). It allocates one <see cref="RtcpSummary"/> per packet,
/// which is fine at RTCP's rate of one every few seconds.
/// </summary>
public static class RtcpParser
{
    private const int HeaderLength = 4;
    private const int ReportBlockLength = 24;

    public static RtcpParseStatus TryParse(ReadOnlySpan<byte> datagram, out RtcpSummary summary)
    {
        summary = new RtcpSummary();
        if (datagram.Length < HeaderLength)
        {
            return RtcpParseStatus.TooShort;
        }

        while (datagram.Length > 0)
        {
            if (datagram.Length < HeaderLength)
            {
                return RtcpParseStatus.TooShort;
            }

            if (datagram[0] >> 6 != 2)
            {
                return RtcpParseStatus.BadVersion;
            }

            int length = (BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) + 1) * 4;
            if (length > datagram.Length)
            {
                return RtcpParseStatus.BadLength;
            }

            ReadOnlySpan<byte> packet = datagram[..length];
            datagram = datagram[length..];
            if ((packet[0] & 0x20) != 0)
            {
                int padding = packet[^1];
                if (datagram.Length > 0 || padding == 0 || padding > length - HeaderLength)
                {
                    return RtcpParseStatus.BadPadding;
                }

                packet = packet[..^padding];
            }

            summary.PacketCount++;
            RtcpParseStatus status = ReadPacket(packet, packet[0] & 0x1F, summary);
            if (status != RtcpParseStatus.Ok)
            {
                return status;
            }
        }

        return RtcpParseStatus.Ok;
    }

    /// <summary>A message naming what is wrong with a compound that gave <paramref name="status"/>.</summary>
    public static string Describe(RtcpParseStatus status) => status switch
    {
        RtcpParseStatus.Ok => "ok",
        RtcpParseStatus.TooShort => "RTCP packet shorter than its header or its type requires",
        RtcpParseStatus.BadVersion => "RTCP version is not 2",
        RtcpParseStatus.BadLength => "RTCP length field runs past the end of the datagram",
        RtcpParseStatus.BadPadding => "RTCP padding on a packet that is not last, or a bad padding count",
        RtcpParseStatus.BadItem => "RTCP SDES or BYE item runs past the end of its packet",
        _ => "unknown RTCP parse status",
    };

    private static RtcpParseStatus ReadPacket(ReadOnlySpan<byte> packet, int count, RtcpSummary summary)
    {
        switch (packet[1])
        {
            case RtcpWriter.SenderReportType:
                if (packet.Length < 28 + (count * ReportBlockLength))
                {
                    return RtcpParseStatus.TooShort;
                }

                SetSender(summary, packet);
                summary.SenderInfo ??= new RtcpSenderInfo(
                    BinaryPrimitives.ReadUInt64BigEndian(packet[8..]),
                    BinaryPrimitives.ReadUInt32BigEndian(packet[16..]),
                    BinaryPrimitives.ReadUInt32BigEndian(packet[20..]),
                    BinaryPrimitives.ReadUInt32BigEndian(packet[24..]));
                ReadBlocks(packet[28..], count, summary);
                return RtcpParseStatus.Ok;
            case RtcpWriter.ReceiverReportType:
                if (packet.Length < 8 + (count * ReportBlockLength))
                {
                    return RtcpParseStatus.TooShort;
                }

                SetSender(summary, packet);
                ReadBlocks(packet[8..], count, summary);
                return RtcpParseStatus.Ok;
            case RtcpWriter.SourceDescriptionType:
                return count == 0 ? RtcpParseStatus.Ok : ReadFirstCname(packet[HeaderLength..], summary);
            case RtcpWriter.ByeType:
                return ReadBye(packet[HeaderLength..], count, summary);
            default:
                return RtcpParseStatus.Ok;
        }
    }

    private static void SetSender(RtcpSummary summary, ReadOnlySpan<byte> packet)
    {
        if (summary.SenderInfo is null && summary.ReportBlocks.Count == 0 && summary.SenderSsrc == 0)
        {
            summary.SenderSsrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        }
    }

    private static void ReadBlocks(ReadOnlySpan<byte> blocks, int count, RtcpSummary summary)
    {
        for (int i = 0; i < count && summary.ReportBlocks.Count < RtcpSummary.MaxReportBlocks; i++)
        {
            ReadOnlySpan<byte> block = blocks.Slice(i * ReportBlockLength, ReportBlockLength);
            uint lost = BinaryPrimitives.ReadUInt32BigEndian(block[4..]);
            int cumulative = (int)(lost << 8) >> 8; // sign-extend the 24-bit field
            summary.ReportBlocks.Add(new RtcpReportBlock(
                BinaryPrimitives.ReadUInt32BigEndian(block),
                (byte)(lost >> 24),
                cumulative,
                BinaryPrimitives.ReadUInt32BigEndian(block[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[20..])));
        }
    }

    private static RtcpParseStatus ReadFirstCname(ReadOnlySpan<byte> chunk, RtcpSummary summary)
    {
        if (chunk.Length < 4)
        {
            return RtcpParseStatus.BadItem;
        }

        ReadOnlySpan<byte> items = chunk[4..];
        while (items.Length > 0 && items[0] != 0)
        {
            if (items.Length < 2 || items.Length < 2 + items[1])
            {
                return RtcpParseStatus.BadItem;
            }

            if (items[0] == 1 && summary.Cname is null)
            {
                summary.Cname = Encoding.UTF8.GetString(items.Slice(2, items[1]));
            }

            items = items[(2 + items[1])..];
        }

        return RtcpParseStatus.Ok;
    }

    private static RtcpParseStatus ReadBye(ReadOnlySpan<byte> body, int count, RtcpSummary summary)
    {
        if (body.Length < count * 4)
        {
            return RtcpParseStatus.BadItem;
        }

        summary.Bye = true;
        ReadOnlySpan<byte> rest = body[(count * 4)..];
        if (rest.Length > 0)
        {
            if (rest.Length < 1 + rest[0])
            {
                return RtcpParseStatus.BadItem;
            }

            summary.ByeReason = Encoding.UTF8.GetString(rest.Slice(1, rest[0]));
        }

        return RtcpParseStatus.Ok;
    }
}
