using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.Sip;

internal sealed partial class SipRegistration
{
    /// <summary>One line per outcome, each naming the address of record and the registrar, so that a failing trunk is found by grep.</summary>
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "sip-registration registered: {Aor} at {Registrar} for {GrantedSeconds} s; refresh in {RefreshSeconds} s")]
        public static partial void Registered(ILogger logger, string aor, string registrar, int grantedSeconds, int refreshSeconds);

        [LoggerMessage(2, LogLevel.Warning, "sip-registration failed: {Aor} at {Registrar}: {Error}; retry in {RetrySeconds} s (failure {Failures} in a row)")]
        public static partial void Failed(ILogger logger, string aor, string registrar, string error, int retrySeconds, int failures);

        [LoggerMessage(3, LogLevel.Information, "sip-registration removed: {Aor} at {Registrar} (Expires: 0)")]
        public static partial void Unregistered(ILogger logger, string aor, string registrar);

        [LoggerMessage(4, LogLevel.Warning, "sip-registration removal failed: {Aor} at {Registrar}: {Error}; the binding lapses at its expiry")]
        public static partial void UnregisterFailed(ILogger logger, string aor, string registrar, string error);
    }
}
