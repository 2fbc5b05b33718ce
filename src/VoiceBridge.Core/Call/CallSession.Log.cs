using Microsoft.Extensions.Logging;

namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "call {CallId}: cancelled")]
        public static partial void CallCancelled(ILogger logger, string callId);

        [LoggerMessage(2, LogLevel.Warning, "call {CallId}: bad message from the caller leg: {Error}")]
        public static partial void LegError(ILogger logger, string callId, string error);

        [LoggerMessage(3, LogLevel.Information, "call {CallId}: DTMF {Digit}")]
        public static partial void Dtmf(ILogger logger, string callId, string digit);

        [LoggerMessage(4, LogLevel.Debug, "call {CallId}: caller turn {StartMs}-{EndMs} ms")]
        public static partial void UserTurn(ILogger logger, string callId, long startMs, long endMs);

        [LoggerMessage(5, LogLevel.Warning, "call {CallId}: engine {Engine} error: {Error}")]
        public static partial void EngineError(ILogger logger, string callId, string engine, string error);

        [LoggerMessage(6, LogLevel.Warning, "call {CallId}: engine {Engine} connection ended: {Reason}")]
        public static partial void EngineClosed(ILogger logger, string callId, string engine, string reason);

        [LoggerMessage(7, LogLevel.Information, "call {CallId}: barge-in, item {ItemId} truncated at {HeardMs} ms heard")]
        public static partial void BargeIn(ILogger logger, string callId, string itemId, long heardMs);

        [LoggerMessage(9, LogLevel.Warning, "call {CallId}: SWITCH {From} -> {To} ({Reason}: {Evidence})")]
        public static partial void Switch(ILogger logger, string callId, string from, string to, string reason, string evidence);

        [LoggerMessage(10, LogLevel.Error, "call {CallId}: every engine of the chain is down (last {Engine}: {Reason})")]
        public static partial void ChainExhausted(ILogger logger, string callId, string engine, string reason);

        [LoggerMessage(11, LogLevel.Warning, "call {CallId}: disposing engine {Engine} failed")]
        public static partial void DisposeFailed(ILogger logger, string callId, string engine, Exception exception);

        [LoggerMessage(12, LogLevel.Warning, "call {CallId}: engine {Engine} to be replaced at the next turn boundary ({Reason}: {Evidence})")]
        public static partial void SoftSwitchPending(ILogger logger, string callId, string engine, string reason, string evidence);

        [LoggerMessage(13, LogLevel.Error, "call {CallId}: engine {Engine} refused our request (a bug on our side): {Error}")]
        public static partial void ClientError(ILogger logger, string callId, string engine, string error);

        [LoggerMessage(14, LogLevel.Warning, "call {CallId}: warming up the standby {Engine} failed: {Error}")]
        public static partial void StandbyFailed(ILogger logger, string callId, string engine, string error);

        [LoggerMessage(15, LogLevel.Warning, "call {CallId}: engine {Engine} would be replaced ({Reason}: {Evidence}) but no other engine is available; staying")]
        public static partial void NoSoftSwitchTarget(ILogger logger, string callId, string engine, string reason, string evidence);

        [LoggerMessage(16, LogLevel.Information, "call {CallId}: DTMF entry {Digits} added to the conversation (engine {Engine})")]
        public static partial void DtmfTurn(ILogger logger, string callId, string digits, string engine);

        [LoggerMessage(17, LogLevel.Information, "call {CallId}: keys {Digits} sent toward the caller (send_dtmf)")]
        public static partial void DigitsSent(ILogger logger, string callId, string digits);

        [LoggerMessage(18, LogLevel.Warning, "call {CallId}: engine {Engine} stalled ({Reason}: {Evidence}) and no other engine is available; waiting {GraceMs} ms more before the last resort")]
        public static partial void StallGrace(ILogger logger, string callId, string engine, string reason, string evidence, int graceMs);

        [LoggerMessage(19, LogLevel.Information, "call {CallId}: the caller put the call on hold; agent audio waits until they are back")]
        public static partial void Held(ILogger logger, string callId);

        [LoggerMessage(20, LogLevel.Information, "call {CallId}: the caller took the call off hold after {HeldMs} ms")]
        public static partial void Resumed(ILogger logger, string callId, long heldMs);

        [LoggerMessage(21, LogLevel.Warning, "call {CallId}: {Count} bad messages from the caller leg logged; more are counted, not logged (errors in the call-ended audit event)")]
        public static partial void LegErrorsQuiet(ILogger logger, string callId, int count);

        [LoggerMessage(8, LogLevel.Error, "call {CallId}: handling {Input} failed")]
        public static partial void InputFailed(ILogger logger, string callId, string input, Exception exception);
    }
}
