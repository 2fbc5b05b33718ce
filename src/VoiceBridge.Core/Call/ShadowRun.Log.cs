using Microsoft.Extensions.Logging;

namespace VoiceBridge.Call;

internal sealed partial class ShadowRun
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "call {CallId}: shadow {Engine} runs beside the call (heard by no one)")]
        public static partial void Started(ILogger logger, string callId, string engine);

        [LoggerMessage(2, LogLevel.Warning, "call {CallId}: shadow {Engine} failed, the call goes on without it: {Reason}")]
        public static partial void Failed(ILogger logger, string callId, string engine, string reason);

        [LoggerMessage(3, LogLevel.Warning, "call {CallId}: shadow {Engine} error: {Error}")]
        public static partial void EngineError(ILogger logger, string callId, string engine, string error);

        [LoggerMessage(4, LogLevel.Debug, "call {CallId}: shadow {Engine} asked for tool {Tool}: not run")]
        public static partial void ToolNotRun(ILogger logger, string callId, string engine, string tool);

        [LoggerMessage(5, LogLevel.Warning, "call {CallId}: disposing shadow {Engine} failed: {Error}")]
        public static partial void DisposeFailed(ILogger logger, string callId, string engine, string error);
    }
}
