using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.WebRtc;

public sealed partial class DtlsSrtpServer
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "DTLS-SRTP handshake completed; client certificate {Fingerprint}")]
        public static partial void HandshakeCompleted(ILogger logger, string fingerprint);

        [LoggerMessage(2, LogLevel.Warning, "DTLS-SRTP handshake failed: {Reason}")]
        public static partial void HandshakeFailed(ILogger logger, string reason);

        [LoggerMessage(3, LogLevel.Debug, "DTLS: dropped a malformed datagram ({Error}); {Count} so far")]
        public static partial void DatagramDropped(ILogger logger, string error, long count);

        [LoggerMessage(4, LogLevel.Information, "DTLS association ended: {Reason}")]
        public static partial void Closed(ILogger logger, string reason);
    }
}
