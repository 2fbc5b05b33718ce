namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// Tells RTCP from RTP on one port (rtcp-mux, RFC 5761 section 4): RTCP packet types 192-223 occupy the
/// second byte where RTP has marker plus payload type, and RTP avoids payload types 64-95 so that the
/// two never collide.
/// </summary>
public static class RtpDemux
{
    private const byte FirstRtcpType = 192;
    private const byte LastRtcpType = 223;

    /// <summary>True when <paramref name="datagram"/> is a version-2 packet whose second byte is an RTCP packet type.</summary>
    public static bool IsRtcp(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 2
        && datagram[0] >> 6 == RtpPacket.RtpVersion
        && datagram[1] is >= FirstRtcpType and <= LastRtcpType;
}
