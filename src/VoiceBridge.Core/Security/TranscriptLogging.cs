namespace VoiceBridge.Security;

/// <summary>
/// Whether what callers say may reach the logs. Off by default: logs are shipped, kept and read
/// far more widely than call data should be, so a transcript is logged as its length only unless the
/// operator opts in (<c>serve --log-transcripts</c>, for debugging a deployment). Process-wide,
/// because the logs are.
/// </summary>
public static class TranscriptLogging
{
    private static volatile bool _enabled;

    /// <summary>True when transcripts are logged in full.</summary>
    public static bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary><paramref name="text"/> when <see cref="Enabled"/>, else a placeholder with its length.</summary>
    public static string Show(string? text) =>
        _enabled ? text ?? "" : $"[{text?.Length ?? 0} chars redacted; --log-transcripts shows them]";
}
