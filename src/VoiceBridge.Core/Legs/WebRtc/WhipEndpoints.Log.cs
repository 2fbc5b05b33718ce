using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.WebRtc;

public static partial class WhipEndpoints
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "WHIP session {Id} created for {Remote}")]
        public static partial void Created(ILogger logger, string id, string remote);

        [LoggerMessage(2, LogLevel.Information, "WHIP session {Id} deleted")]
        public static partial void Deleted(ILogger logger, string id);

        [LoggerMessage(3, LogLevel.Warning, "WHIP {Method} from {Remote} refused ({Status}): {Reason}")]
        public static partial void Refused(ILogger logger, string method, string remote, int status, string reason);

        [LoggerMessage(4, LogLevel.Warning, "WHIP {Method} from {Remote} unauthorized: {Reason}")]
        public static partial void Unauthorized(ILogger logger, string method, string remote, string reason);
    }
}
