using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Legs.Sip;

/// <summary>A SIP call's media figures, for the call's report.</summary>
public sealed record SipMediaFigures(
    uint Ssrc,
    int LocalRtpPort,
    long PacketsSent,
    long AgentFramesSent,
    long PacketsReceived,
    long BadPackets,
    long UnknownPayloadTypePackets,
    long WrongSizePackets,
    long DtmfDigits,
    long DtmfDigitsSent,
    long RtcpReceived,
    long Relatches,
    int JitterTargetDelayMs,
    long ConcealedMs,
    long LatePackets,
    long DuplicatePackets,
    long DiscardedPackets,
    long OverflowFrames)
{
    /// <summary>The shared RTP leg's figures, under the name the call report has always used.</summary>
    public static SipMediaFigures From(RtpMediaFigures f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new(
            f.Ssrc, f.LocalRtpPort, f.PacketsSent, f.AgentFramesSent, f.PacketsReceived, f.BadPackets, f.UnknownPayloadTypePackets, f.WrongSizePackets, f.DtmfDigits, f.DtmfDigitsSent,
            f.RtcpReceived, f.Relatches, f.JitterTargetDelayMs, f.ConcealedMs, f.LatePackets, f.DuplicatePackets, f.DiscardedPackets, f.OverflowFrames);
    }
}
