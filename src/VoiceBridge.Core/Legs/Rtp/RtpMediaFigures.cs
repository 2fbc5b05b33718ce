namespace VoiceBridge.Legs.Rtp;

/// <summary>An RTP leg's media figures at the end of its call, for the call's report and logs.</summary>
public sealed record RtpMediaFigures(
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
    long ForeignPackets,
    int JitterTargetDelayMs,
    long ConcealedMs,
    long LatePackets,
    long DuplicatePackets,
    long DiscardedPackets,
    long OverflowFrames);
