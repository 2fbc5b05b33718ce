using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Audit;

namespace VoiceBridge.Tests.Audit;

/// <summary>The embedded audit log: nothing queued is lost on a clean stop, and queries filter and order.</summary>
public sealed class SqliteAuditLogTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 15, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("vb-audit-").FullName;

    private string DbPath => SqliteAuditLog.PathIn(_dir);

    [Fact]
    public async Task Every_event_recorded_before_dispose_is_in_the_table_in_order()
    {
        await using (var log = new SqliteAuditLog(DbPath))
        {
            for (var i = 0; i < 1000; i++)
            {
                log.Record(Event("call-a", i, "switch"));
            }
        }

        using var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT call_ms, at_utc, kind, from_engine, to_engine, reason, details_json FROM audit_events ORDER BY id";
        using var reader = command.ExecuteReader();
        var i2 = 0;
        while (reader.Read())
        {
            Assert.Equal(i2, reader.GetInt64(0));
            Assert.Equal(T0.AddMilliseconds(i2).UtcDateTime, DateTimeOffset.Parse(reader.GetString(1)).UtcDateTime);
            Assert.Equal("switch", reader.GetString(2));
            Assert.Equal("openai-realtime", reader.GetString(3));
            Assert.Equal("local", reader.GetString(4));
            Assert.Equal("socket-lost", reader.GetString(5));
            Assert.Equal($$"""{"n":{{i2}}}""", reader.GetString(6));
            i2++;
        }

        Assert.Equal(1000, i2);
    }

    [Fact]
    public async Task Query_filters_by_call_and_since_in_time_order()
    {
        await using (var log = new SqliteAuditLog(DbPath))
        {
            log.Record(Event("call-b", 30, "call-ended"));
            log.Record(Event("call-a", 10, "switch"));
            log.Record(Event("call-b", 5, "switch"));
            log.Record(Event("call-a", 40, "call-ended"));
        }

        Assert.Equal([5L, 10L, 30L, 40L], SqliteAuditLog.Query(DbPath, null, null).Select(e => e.CallMs));
        Assert.Equal([10L, 40L], SqliteAuditLog.Query(DbPath, "call-a", null).Select(e => e.CallMs));
        Assert.Equal([30L, 40L], SqliteAuditLog.Query(DbPath, null, T0.AddMilliseconds(30)).Select(e => e.CallMs));
        Assert.Equal([30L], SqliteAuditLog.Query(DbPath, "call-b", T0.AddMilliseconds(11)).Select(e => e.CallMs));
        var ended = SqliteAuditLog.Query(DbPath, "call-a", T0.AddMilliseconds(40)).Single();
        Assert.Equal(Event("call-a", 40, "call-ended"), ended);
    }

    [Fact]
    public async Task Records_from_several_threads_are_all_written()
    {
        await using (var log = new SqliteAuditLog(DbPath))
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 500; i++)
                {
                    log.Record(Event($"call-{t}", i, "switch"));
                }
            })));
            Assert.Equal(0, log.Dropped);
        }

        var events = SqliteAuditLog.Query(DbPath, null, null);
        Assert.Equal(4000, events.Count);
        for (var t = 0; t < 8; t++)
        {
            Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), events.Where(e => e.CallId == $"call-{t}").Select(e => e.CallMs));
        }
    }

    [Fact]
    public async Task An_overflowing_queue_counts_what_it_drops()
    {
        var log = new SqliteAuditLog(DbPath, capacity: 1);
        for (var i = 0; i < 10_000; i++)
        {
            log.Record(Event("call-a", i, "switch"));
        }

        await log.DisposeAsync();
        Assert.True(log.Dropped > 0);
        Assert.Equal(10_000, SqliteAuditLog.Query(DbPath, null, null).Count + log.Dropped);
    }

    [Fact]
    public async Task An_unusable_data_directory_is_a_clear_error()
    {
        var notADirectory = Path.Combine(_dir, "file");
        File.WriteAllText(notADirectory, "");
        var e = await Assert.ThrowsAsync<AuditStoreException>(() => new AuditStore(notADirectory).OpenAsync(NullLoggerFactory.Instance, CancellationToken.None));
        Assert.StartsWith($"cannot open the audit log at {SqliteAuditLog.PathIn(notADirectory)} (--data-dir, VOICEBRIDGE_DATA): ", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AuditEvent Event(string call, int ms, string kind) =>
        new(kind, call, T0.AddMilliseconds(ms), ms, "openai-realtime", "local", "socket-lost", $$"""{"n":{{ms}}}""");
}
