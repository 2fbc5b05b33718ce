using System.Text.Json;
using VoiceBridge.Audit;

namespace VoiceBridge.Engines.Health;

/// <summary>Breaker changes as audit events: kind <c>breaker</c>, no call (<c>-</c>), from and to the states.</summary>
public static class BreakerAudit
{
    public const string Kind = "breaker";

    /// <summary>The state as the audit log writes it: <c>closed</c>, <c>open</c>, <c>half-open</c>.</summary>
    public static string Name(BreakerState state) => state switch
    {
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half-open",
        _ => "closed",
    };

    public static AuditEvent ToAuditEvent(this BreakerChange change) => new(
        Kind,
        "-",
        change.At,
        0,
        Name(change.From),
        Name(change.To),
        $"{change.Engine}: {change.Reason}",
        JsonSerializer.Serialize(new
        {
            engine = change.Engine,
            from = Name(change.From),
            to = Name(change.To),
            reason = change.Reason,
            openUntil = change.OpenUntil,
        }));
}
