using VoiceBridge.Audit;

namespace VoiceBridge.Tests.Support;

/// <summary>An audit log that keeps every event in memory, to assert on.</summary>
internal sealed class RecordingAudit : IAuditLog
{
    private readonly List<AuditEvent> _events = [];

    /// <summary>What was recorded so far, in order (a copy).</summary>
    public IReadOnlyList<AuditEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void Record(AuditEvent auditEvent)
    {
        lock (_events)
        {
            _events.Add(auditEvent);
        }
    }
}
