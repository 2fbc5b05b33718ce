using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audit;
using VoiceBridge.Security;

namespace VoiceBridge.Tests.Security;

/// <summary>
/// Caller data: audit events older than the retention window purged at start-up and daily on the
/// injected clock; transcripts redacted in logs unless opted in; the start-up warnings of an exposed node.
/// </summary>
public sealed class CallerDataTests
{
    private static readonly DateTimeOffset Now = new(2031, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Audit_events_older_than_the_retention_are_purged_at_start_and_then_daily()
    {
        var dir = Directory.CreateTempSubdirectory("voicebridge-retention-").FullName;
        var store = new AuditStore(dir);
        await using (var log = new SqliteAuditLog(store.SqlitePath))
        {
            log.Record(Event("old", Now - TimeSpan.FromDays(40)));
            log.Record(Event("recent", Now - TimeSpan.FromDays(10)));
            log.Record(Event("today", Now));
        }

        var time = new FakeTimeProvider(Now);
        using var retention = new AuditRetention(store, 30, time, NullLogger.Instance);
        retention.Start();
        Assert.Equal(["recent", "today"], store.Query(null, null).Select(e => e.CallId));

        time.Advance(TimeSpan.FromDays(21));
        Assert.Equal(["today"], store.Query(null, null).Select(e => e.CallId));
        Assert.Equal(0, retention.Purge());
    }

    [Fact]
    public void A_retention_outside_1_to_3650_days_is_refused()
    {
        var store = new AuditStore(Path.GetTempPath());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditRetention(store, 0, TimeProvider.System, NullLogger.Instance));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditRetention(store, AuditRetention.MaxDays + 1, TimeProvider.System, NullLogger.Instance));
    }

    [Fact]
    public void Transcripts_are_redacted_in_logs_by_default()
    {
        Assert.False(TranscriptLogging.Enabled);
        var shown = TranscriptLogging.Show("my card number is 4111 1111");
        Assert.DoesNotContain("4111", shown, StringComparison.Ordinal);
        Assert.Contains("27 chars redacted", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exposed_node_is_warned_about_each_open_door_and_a_loopback_one_is_not()
    {
        var open = new NodeExposure { Urls = "http://0.0.0.0:8080", WhipAuthenticated = false, SipListen = System.Net.IPAddress.Any };
        var warnings = ExposureCheck.Warnings(open);
        Assert.Equal(4, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("without TWILIO_AUTH_TOKEN", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("WHIP open", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("no --max-calls", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("--sip-allow", StringComparison.Ordinal));

        Assert.Empty(ExposureCheck.Warnings(open with { TwilioSignatures = true, WhipAuthenticated = true, SipGuarded = true, MaxCalls = 100 }));
        Assert.Empty(ExposureCheck.Warnings(new NodeExposure { Urls = "http://127.0.0.1:8080;http://[::1]:8080", WhipAuthenticated = false }));
    }

    private static AuditEvent Event(string callId, DateTimeOffset at) => new("call-ended", callId, at, 0, null, null, null, "{}");
}
