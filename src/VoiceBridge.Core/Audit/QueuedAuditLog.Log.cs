using Microsoft.Extensions.Logging;

namespace VoiceBridge.Audit;

public abstract partial class QueuedAuditLog
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "audit queue full: dropped {Kind} event of call {CallId} ({Dropped} dropped so far)")]
        public static partial void QueueFull(ILogger logger, string kind, string callId, long dropped);

        [LoggerMessage(2, LogLevel.Error, "audit log {Location}: {Count} events could not be written")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string location, int count);

        [LoggerMessage(3, LogLevel.Error, "audit log {Location} closed: {Dropped} events dropped (queue full), {Failed} lost (write errors)")]
        public static partial void ClosedWithLosses(ILogger logger, string location, long dropped, long failed);
    }
}
