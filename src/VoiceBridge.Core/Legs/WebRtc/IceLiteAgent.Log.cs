using System.Net;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.WebRtc;

public sealed partial class IceLiteAgent
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "ice {Ufrag}: the browser nominated {Remote}; media goes there")]
        public static partial void Nominated(ILogger logger, string ufrag, IPEndPoint remote);

        [LoggerMessage(2, LogLevel.Debug, "ice {Ufrag}: dropped a STUN datagram from {From}: {Reason}")]
        public static partial void Dropped(ILogger logger, string ufrag, IPEndPoint from, string reason);

        [LoggerMessage(3, LogLevel.Debug, "ice {Ufrag}: answered a check from {From} with {Code} {Reason}")]
        public static partial void Rejected(ILogger logger, string ufrag, IPEndPoint from, int code, string reason);
    }
}
