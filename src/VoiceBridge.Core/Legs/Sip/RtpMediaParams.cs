using System.Net;

namespace VoiceBridge.Legs.Sip;

/// <summary>The G.711 law of a call's RTP audio.</summary>
public enum RtpCodec
{
    Pcmu,
    Pcma,
}

/// <summary>
/// What offer/answer settled for a call's RTP: where to send (until symmetric RTP learns the
/// caller's real source), the codec and its payload type, the telephone-event payload type, and
/// which directions are on (a caller on hold sends, or receives, nothing), and whether a re-offer put
/// the established call on hold (<see cref="Rtp.RtpLegMedia.Held"/>).
/// </summary>
public sealed record RtpMediaParams(IPEndPoint Remote, RtpCodec Codec, byte PayloadType, byte? TelephoneEventType, bool Send, bool Receive, bool Held = false)
{
    /// <summary>The IANA static payload type of a codec (RFC 3551).</summary>
    public static byte StaticPayloadType(RtpCodec codec) => codec == RtpCodec.Pcmu ? (byte)0 : (byte)8;
}
