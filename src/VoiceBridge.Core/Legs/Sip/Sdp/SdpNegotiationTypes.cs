namespace VoiceBridge.Legs.Sip.Sdp;

/// <summary>The G.711 codecs the call path carries end to end without transcoding.</summary>
public enum SdpCodec
{
    Pcmu,
    Pcma,
}

/// <summary>
/// What we put in our side of an answer. <paramref name="Address"/> is the advertised address (what the
/// caller must send RTP to, not necessarily a local interface behind NAT); <paramref name="SessionVersion"/>
/// must grow each time the call's answer changes (RFC 3264 section 8), so the leg increments it for re-offers.
/// </summary>
public sealed record SdpLocal(string Address, int RtpPort, ulong SessionId, ulong SessionVersion, string UserName = "voicebridge")
{
    /// <summary>The <c>s=</c> line.</summary>
    public string SessionName { get; init; } = "VoiceBridge";
}

/// <summary>
/// The negotiated audio stream. <see cref="Direction"/> is ours (what the answer says): the leg sends
/// RTP only when it includes send, and expects RTP only when it includes receive.
/// </summary>
/// <param name="RemoteAddress">Where to send RTP, from the offer's c= (media-level first); symmetric RTP may later override it.</param>
/// <param name="RemotePort">The offer's m= port.</param>
/// <param name="Codec">The codec for both directions.</param>
/// <param name="PayloadType">Its payload type: the offer's, which may be dynamic.</param>
/// <param name="TelephoneEventPayloadType">RFC 4733 events' payload type, when offered.</param>
/// <param name="PtimeMs">The packet duration we send and ask for: 20.</param>
/// <param name="RemotePtimeMs">The offer's a=ptime (what the caller wants to receive), or null.</param>
/// <param name="Direction">Our direction.</param>
/// <param name="IsHold">The caller put the call on hold: a=sendonly / a=inactive, or c=0.0.0.0.</param>
public sealed record SdpMediaChoice(
    string RemoteAddress,
    int RemotePort,
    SdpCodec Codec,
    int PayloadType,
    int? TelephoneEventPayloadType,
    int PtimeMs,
    int? RemotePtimeMs,
    SdpDirection Direction,
    bool IsHold)
{
    /// <summary>Whether we send audio on this stream.</summary>
    public bool Sends => Direction.Sends();

    /// <summary>Whether we expect audio on this stream.</summary>
    public bool Receives => Direction.Receives();
}

/// <summary>
/// The outcome of <see cref="SdpNegotiator.Answer"/>: an answer and the chosen stream, or, when nothing
/// in the offer is acceptable, a reason for <c>488 Not Acceptable Here</c> and its Warning header.
/// </summary>
public sealed record SdpAnswerResult(SdpSession? Answer, SdpMediaChoice? Choice, string? RejectReason)
{
    /// <summary>RFC 3261 Warning code 305, "Incompatible media format", for the 488's Warning header.</summary>
    public const int WarningCode = 305;

    public bool Accepted => Answer is not null;

    /// <summary>
    /// The Warning header value for the 488 (RFC 3261 section 20.43), e.g.
    /// <c>305 voicebridge "no common audio codec"</c>; null when accepted.
    /// </summary>
    public string? WarningHeader(string agent) =>
        RejectReason is null ? null : $"{WarningCode} {agent} \"{RejectReason.Replace('"', '\'')}\"";
}
