namespace VoiceBridge.Legs.Rtp;

/// <summary>One reception report block (RFC 3550 section 6.4.1).</summary>
/// <param name="Ssrc">The source this block reports on.</param>
/// <param name="FractionLost">Loss since the previous report, in 1/256.</param>
/// <param name="CumulativeLost">Packets lost since the start, a signed 24-bit value.</param>
/// <param name="ExtendedHighestSequence">Highest sequence number received, with wraps in the high 16 bits.</param>
/// <param name="Jitter">Interarrival jitter in RTP clock units.</param>
/// <param name="LastSenderReport">Middle 32 bits of the last SR's NTP timestamp, 0 if none.</param>
/// <param name="DelaySinceLastSenderReport">Since that SR, in 1/65536 s; 0 if none.</param>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport);

/// <summary>The sender information of an SR (RFC 3550 section 6.4.1).</summary>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount);

/// <summary>Outcome of parsing an RTCP compound packet.</summary>
public enum RtcpParseStatus
{
    Ok,

    /// <summary>Shorter than a 4-byte RTCP header, or a packet shorter than its type needs.</summary>
    TooShort,

    /// <summary>A version field is not 2.</summary>
    BadVersion,

    /// <summary>A length field runs past the end of the datagram.</summary>
    BadLength,

    /// <summary>Padding on a packet that is not the last, or a padding count that does not fit.</summary>
    BadPadding,

    /// <summary>An SDES or BYE item runs past the end of its packet.</summary>
    BadItem,
}

/// <summary>What a compound RTCP packet said, as far as a phone leg cares.</summary>
public sealed class RtcpSummary
{
    /// <summary>Most report blocks kept from one compound packet.</summary>
    public const int MaxReportBlocks = 31;

    /// <summary>SSRC of the first SR or RR (the sender of the compound packet).</summary>
    public uint SenderSsrc { get; internal set; }

    /// <summary>The SR's sender information; null when the compound held only an RR.</summary>
    public RtcpSenderInfo? SenderInfo { get; internal set; }

    public List<RtcpReportBlock> ReportBlocks { get; } = [];

    /// <summary>The CNAME of the first SDES chunk, if any.</summary>
    public string? Cname { get; internal set; }

    /// <summary>The compound held a BYE: the source is leaving.</summary>
    public bool Bye { get; internal set; }

    public string? ByeReason { get; internal set; }

    /// <summary>RTCP packets in the compound, of any type.</summary>
    public int PacketCount { get; internal set; }
}
