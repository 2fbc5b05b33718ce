using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.Sip;

public sealed partial class SipEndpoint
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SIP listening on udp {Listen} (advertised {Advertised}), RTP ports {RtpMin}-{RtpMax}")]
        public static partial void Listening(ILogger logger, string listen, string advertised, int rtpMin, int rtpMax);

        [LoggerMessage(2, LogLevel.Warning, "SIP: dropped a malformed message from {From}: {Error}")]
        public static partial void Malformed(ILogger logger, string from, string error);

        [LoggerMessage(3, LogLevel.Warning, "SIP: refused {Method} from {From}: not in the source allow-list")]
        public static partial void SourceRefused(ILogger logger, string method, string from);

        [LoggerMessage(4, LogLevel.Information, "sip call {CallId}: answered, from {From}, RTP on port {RtpPort}")]
        public static partial void CallStarted(ILogger logger, string callId, string from, int rtpPort);

        [LoggerMessage(5, LogLevel.Information, "sip call {CallId}: ending: {Reason}")]
        public static partial void CallEnding(ILogger logger, string callId, string reason);

        [LoggerMessage(6, LogLevel.Information, "sip call {CallId}: ended; RTP in {PacketsIn}, out {PacketsOut}; concealed {ConcealedMs} ms; jitter buffer target {TargetMs} ms")]
        public static partial void CallEnded(ILogger logger, string callId, long packetsIn, long packetsOut, long concealedMs, int targetMs);

        [LoggerMessage(7, LogLevel.Warning, "sip call {CallId}: offer rejected (488): {Reason}")]
        public static partial void OfferRejected(ILogger logger, string callId, string reason);

        [LoggerMessage(8, LogLevel.Error, "sip call {CallId}: refused (503): {Error}")]
        public static partial void NoPorts(ILogger logger, string callId, string error);

        [LoggerMessage(9, LogLevel.Warning, "sip call {CallId}: no ACK to our 200 OK within 64*T1; ending the call")]
        public static partial void NoAck(ILogger logger, string callId);

        [LoggerMessage(10, LogLevel.Information, "sip call {CallId}: media updated by re-INVITE: {Codec}, {Direction}, hold {Hold}")]
        public static partial void MediaUpdated(ILogger logger, string callId, string codec, string direction, bool hold);

        [LoggerMessage(11, LogLevel.Information, "sip call {CallId}: transfer to {Target} accepted (REFER 202)")]
        public static partial void Referred(ILogger logger, string callId, string target);

        [LoggerMessage(12, LogLevel.Warning, "sip-auth failed: {Method} {CallId} from {From}: {Reason}; challenged again")]
        public static partial void AuthFailed(ILogger logger, string method, string callId, string from, string reason);

        [LoggerMessage(13, LogLevel.Warning, "sip-auth refused (403): {Method} {CallId} from {From}: {Reason}, {Failures} failed attempts")]
        public static partial void AuthRefused(ILogger logger, string method, string callId, string from, string reason, int failures);

        [LoggerMessage(14, LogLevel.Warning, "sip call {CallId}: the media stay as they were: {Problem}")]
        public static partial void AnswerRefused(ILogger logger, string callId, string problem);
    }
}
