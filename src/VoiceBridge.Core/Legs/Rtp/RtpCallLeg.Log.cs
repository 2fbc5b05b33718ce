using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.Rtp;

public sealed partial class RtpCallLeg
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Leg} call {CallId}: dropped a bad RTP/RTCP packet from {From}: {Error}")]
        public static partial void BadRtp(ILogger logger, string leg, string callId, string from, string error);

        [LoggerMessage(2, LogLevel.Warning, "{Leg} call {CallId}: dropped RTP with payload type {PayloadType}, which the SDP did not agree")]
        public static partial void UnknownPayloadType(ILogger logger, string leg, string callId, int payloadType);

        [LoggerMessage(3, LogLevel.Warning, "{Leg} call {CallId}: dropped an RTP packet of {Bytes} bytes: it is empty, not valid {Codec}, or longer than 120 ms")]
        public static partial void WrongFrameSize(ILogger logger, string leg, string callId, int bytes, string codec);

        [LoggerMessage(4, LogLevel.Warning, "{Leg} call {CallId}: no RTP from the caller for {Seconds} s; hanging up")]
        public static partial void RtpTimeout(ILogger logger, string leg, string callId, long seconds);

        [LoggerMessage(5, LogLevel.Warning, "{Leg} call {CallId}: dropped RTP from {From} (SSRC {Ssrc}): the call's media comes from {Remote}, and a new source is taken only at the offer's address or for the same stream")]
        public static partial void ForeignRtp(ILogger logger, string leg, string callId, string from, uint ssrc, string remote);

        [LoggerMessage(6, LogLevel.Information, "{Leg} call {CallId}: the caller sends {PacketMs} ms packets of {Codec}; cutting them into 20 ms frames")]
        public static partial void Reframing(ILogger logger, string leg, string callId, double packetMs, string codec);
    }
}
