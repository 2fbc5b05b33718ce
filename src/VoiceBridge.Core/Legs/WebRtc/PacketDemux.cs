namespace VoiceBridge.Legs.WebRtc;

/// <summary>What one datagram on the browser leg's single UDP port carries.</summary>
public enum PacketKind
{
    /// <summary>STUN (ICE connectivity and consent checks).</summary>
    Stun,

    /// <summary>DTLS records (the DTLS-SRTP handshake and alerts).</summary>
    Dtls,

    /// <summary>SRTP or SRTCP (RTP and RTCP share the range; RTCP is told apart by payload type).</summary>
    Rtp,

    /// <summary>Empty, or a first byte in no range we accept (ZRTP, TURN channels, junk): drop it.</summary>
    Unknown,
}

/// <summary>
/// Sorts datagrams on the one port WebRTC bundles everything onto, by their first byte alone
/// (RFC 7983 section 7): cheap enough to run before any parser, and each protocol's own parser
/// then validates what it was handed.
/// </summary>
public static class PacketDemux
{
    public static PacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return PacketKind.Unknown;
        }

        return datagram[0] switch
        {
            <= 3 => PacketKind.Stun,
            >= 20 and <= 63 => PacketKind.Dtls,
            >= 128 and <= 191 => PacketKind.Rtp,
            _ => PacketKind.Unknown,
        };
    }
}
