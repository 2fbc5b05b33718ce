namespace VoiceBridge.Audit;

/// <summary>
/// Where every decision that changes a call is recorded (switches, the chain running out, the
/// call's final figures). <see cref="Record"/> never blocks the call: implementations queue and
/// write off the audio path, and lose nothing when the process stops cleanly.
/// </summary>
public interface IAuditLog
{
    void Record(AuditEvent auditEvent);
}

/// <summary>
/// One audited event. <see cref="Kind"/>: <c>switch</c>, <c>chain-exhausted</c>, <c>call-ended</c>.
/// <see cref="CallId"/> is the call's id, or <see cref="NoCall"/> for a process-wide event (a
/// provider's breaker changing state), with <see cref="CallMs"/> 0.
/// <see cref="DetailsJson"/> carries the evidence and figures as JSON.
/// </summary>
public sealed record AuditEvent(
    string Kind,
    string CallId,
    DateTimeOffset At,
    long CallMs,
    string? From,
    string? To,
    string? Reason,
    string DetailsJson)
{
    /// <summary>The <see cref="CallId"/> of an event that belongs to no call (stored as is: <c>-</c>).</summary>
    public const string NoCall = "-";
}

/// <summary>No audit (tests that do not look at it).</summary>
public sealed class NullAuditLog : IAuditLog
{
    public static readonly NullAuditLog Instance = new();

    public void Record(AuditEvent auditEvent)
    {
    }
}
