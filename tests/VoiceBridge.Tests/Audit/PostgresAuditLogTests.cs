using System.CommandLine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Npgsql;
using VoiceBridge.Audit;
using VoiceBridge.Cli;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Audit;

/// <summary>
/// The PostgreSQL audit log against a real server (<see cref="PostgresServer"/>, started once for
/// the collection): same table as SQLite, nothing lost on a clean stop, the <c>audit</c> verb reads
/// it, and a bad connection string or unreachable server is a clear error naming the setting.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Interop")]
public sealed class PostgresAuditLogTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Events_are_read_back_in_time_order_with_every_field()
    {
        output.WriteLine($"PostgreSQL on 127.0.0.1:{server.Port}, started in {server.StartUp.TotalSeconds:0.0} s");
        var db = await server.CreateDatabaseAsync();
        var breaker = Breaker(T0.AddTicks(25_670));
        var recorded = new[]
        {
            Event("call-b", 30, "call-ended") with { From = null, To = null, Reason = null },
            Event("call-a", 10, "switch"),
            breaker,
            Event("call-b", 5, "chain-exhausted"),
            Event("call-a", 40, "call-ended") with { DetailsJson = """{"switches":[{"from":"openai-realtime","handoffMs":420}],"note":"é ✓"}""" },
        };
        await using (var log = await PostgresAuditLog.OpenAsync(db))
        {
            foreach (var e in recorded)
            {
                log.Record(e);
            }
        }

        var all = PostgresAuditLog.Query(db, null, null);
        Assert.Equal(recorded.OrderBy(e => e.At), all);
        Assert.All(all, e => Assert.Equal(TimeSpan.Zero, e.At.Offset));
        Assert.Equal([10L, 40L], PostgresAuditLog.Query(db, "call-a", null).Select(e => e.CallMs));
        Assert.Equal([breaker], PostgresAuditLog.Query(db, AuditEvent.NoCall, null));
        Assert.Equal([30L, 40L], PostgresAuditLog.Query(db, null, T0.AddMilliseconds(30)).Select(e => e.CallMs));
        Assert.Equal([30L], PostgresAuditLog.Query(db, "call-b", T0.AddMilliseconds(11).ToOffset(TimeSpan.FromHours(2))).Select(e => e.CallMs));
    }

    [Fact]
    public async Task The_table_has_the_sqlite_tables_columns()
    {
        var db = await server.CreateDatabaseAsync();
        await (await PostgresAuditLog.OpenAsync(db)).DisposeAsync();
        var dir = Directory.CreateTempSubdirectory("vb-audit-columns-").FullName;
        try
        {
            var sqlite = SqliteAuditLog.PathIn(dir);
            await new SqliteAuditLog(sqlite).DisposeAsync();
            Assert.Equal(SqliteColumns(sqlite), await PostgresColumnsAsync(db));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Dispose_drains_the_queue_and_loses_nothing()
    {
        var db = await server.CreateDatabaseAsync();
        var log = await PostgresAuditLog.OpenAsync(db, new TestLoggerFactory(output).CreateLogger("audit"));
        await Task.WhenAll(Enumerable.Range(0, 5).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                log.Record(Event($"call-{t}", i, "switch"));
            }
        })));
        await log.DisposeAsync();

        Assert.Equal((0L, 0L), (log.Dropped, log.Failed));
        var events = PostgresAuditLog.Query(db, null, null);
        Assert.Equal(5000, events.Count);
        for (var t = 0; t < 5; t++)
        {
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), events.Where(e => e.CallId == $"call-{t}").Select(e => e.CallMs));
        }
    }

    [Fact]
    public async Task An_overflowing_queue_and_a_refused_batch_are_counted()
    {
        var db = await server.CreateDatabaseAsync();
        var log = await PostgresAuditLog.OpenAsync(db, new TestLoggerFactory(output).CreateLogger("audit"), capacity: 1);
        log.Record(Event("call-a", -1, "switch") with { DetailsJson = null! }); // details_json is NOT NULL: its batch is refused
        for (var i = 0; i < 10_000; i++)
        {
            log.Record(Event("call-a", i, "switch"));
        }

        await log.DisposeAsync();
        Assert.True(log.Dropped > 0);
        Assert.True(log.Failed > 0);
        Assert.Equal(10_001, PostgresAuditLog.Query(db, null, null).Count + log.Dropped + log.Failed);
    }

    [Fact]
    public async Task Nodes_starting_at_once_share_the_table()
    {
        var db = await server.CreateDatabaseAsync();
        var logs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostgresAuditLog.OpenAsync(db)));
        for (var i = 0; i < logs.Length; i++)
        {
            logs[i].Record(Event($"call-{i}", i, "switch"));
            await logs[i].DisposeAsync();
        }

        Assert.Equal(4, PostgresAuditLog.Query(db, null, null).Count);
    }

    [Fact]
    public async Task The_audit_verb_prints_timelines_from_postgres()
    {
        var db = await server.CreateDatabaseAsync();
        await using (var log = await new AuditStore("unused", db).OpenAsync(new TestLoggerFactory(output), CancellationToken.None))
        {
            Assert.IsType<PostgresAuditLog>(log);
            log.Record(Event("CA-one", 1200, "switch"));
            log.Record(Breaker(T0.AddMilliseconds(1300)));
            log.Record(Event("CA-one", 9000, "call-ended") with
            {
                From = null, To = null, Reason = null,
                DetailsJson = """{"CallMs":9000,"Switches":[{"From":"openai-realtime","To":"local","Reason":"socket-lost","HandoffMs":420,"DeadAirMs":180}]}""",
            });
            log.Record(Event("CA-two", 50, "switch"));
        }

        var (exit, timeline) = await AuditVerbAsync("audit", "--audit-postgres", db);
        output.WriteLine(timeline);
        Assert.Equal(0, exit);
        Assert.Contains("call CA-one", timeline);
        Assert.Contains("switch          openai-realtime -> local (socket-lost)", timeline);
        Assert.Contains("switch openai-realtime -> local (socket-lost) handoffMs 420 deadAirMs 180", timeline);
        Assert.Contains("process-wide (no call)", timeline);
        Assert.Contains("breaker         closed -> open (openai-realtime: 3 failures in 30 s)", timeline);
        Assert.Contains("call CA-two", timeline);

        (exit, timeline) = await AuditVerbAsync("audit", "--audit-postgres", db, "--call", "CA-one", "--since", "2026-11-25T15:00:05Z");
        Assert.Equal(0, exit);
        Assert.Contains("call-ended", timeline);
        Assert.DoesNotContain("CA-two", timeline);
        Assert.DoesNotContain("1200 ms", timeline);

        (exit, timeline) = await AuditVerbAsync("audit", "--audit-postgres", db, "--call", AuditEvent.NoCall);
        Assert.Equal(0, exit);
        var lines = timeline.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("process-wide (no call)", lines[0]);
        Assert.Contains("breaker         closed -> open", Assert.Single(lines[1..]));

        (exit, timeline) = await AuditVerbAsync("audit", "--audit-postgres", db, "--call", "CA-none");
        Assert.Equal(0, exit);
        Assert.Contains("no events in postgresql://postgres@127.0.0.1:", timeline);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=not-a-port;Password=Sekrit-42", "not a valid PostgreSQL connection string")]
    [InlineData("postgresql://vb:Sekrit-42@127.0.0.1/audit", "not a valid PostgreSQL connection string")]
    [InlineData("Host=127.0.0.1;Username=vb;Password=Sekrit-42;Bogus=1", "not a valid PostgreSQL connection string")]
    [InlineData("Database=audit;Username=vb;Password=Sekrit-42", "not a valid PostgreSQL connection string")]
    public async Task A_bad_connection_string_is_a_clear_error_naming_the_setting(string connectionString, string expected)
    {
        var (exit, printed) = await AuditVerbAsync("audit", "--audit-postgres", connectionString);
        output.WriteLine(printed);
        Assert.Equal(2, exit);
        Assert.StartsWith($"audit: --audit-postgres: {expected}", printed);
        AssertClean(printed);

        var e = await Assert.ThrowsAsync<AuditStoreException>(() =>
            new AuditStore("unused", connectionString, AuditStore.PostgresKey).OpenAsync(new TestLoggerFactory(output), CancellationToken.None));
        Assert.StartsWith($"{AuditStore.PostgresKey}: {expected}", e.Message);
        AssertClean(e.Message);
    }

    [Fact]
    public async Task An_unreachable_server_or_missing_database_is_a_clear_error_naming_the_setting()
    {
        var closed = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")) { Port = PostgresServer.FreeLoopbackPort(), Password = "Sekrit-42" }.ToString();
        var (exit, printed) = await AuditVerbAsync("audit", "--audit-postgres", closed);
        output.WriteLine(printed);
        Assert.Equal(2, exit);
        Assert.StartsWith("audit: --audit-postgres: cannot read the audit log at postgresql://postgres@127.0.0.1:", printed);
        Assert.Contains("Failed to connect", printed);
        AssertClean(printed);

        var missing = new NpgsqlConnectionStringBuilder(server.ConnectionString("no_such_db")) { Password = "Sekrit-42" }.ToString();
        var e = await Assert.ThrowsAsync<AuditStoreException>(() =>
            new AuditStore("unused", missing, AuditStoreOption.EnvironmentVariable).OpenAsync(new TestLoggerFactory(output), CancellationToken.None));
        output.WriteLine(e.Message);
        Assert.StartsWith("VOICEBRIDGE_AUDIT_POSTGRES: cannot open the audit log at postgresql://postgres@127.0.0.1:", e.Message);
        Assert.Contains("no_such_db", e.Message);
        AssertClean(e.Message);
    }

    [Fact]
    public async Task Serve_with_an_unreachable_audit_server_exits_2()
    {
        var closed = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")) { Port = PostgresServer.FreeLoopbackPort() }.ToString();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // were the audit opened, serve would run until cancelled
        var exit = await new RootCommand { ServeCommand.Create() }
            .Parse(["serve", "--urls", "http://127.0.0.1:0", "--chain", "openai-realtime", "--audit-postgres", closed])
            .InvokeAsync(cancellationToken: bound.Token);
        Assert.Equal(2, exit);
    }

    [Fact]
    public void The_connection_string_comes_from_the_option_then_the_variable_then_the_key()
    {
        static IConfiguration Settings(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
        var both = Settings((AuditStoreOption.EnvironmentVariable, "Host=from-variable"), (AuditStore.PostgresKey, "Host=from-key"));

        var store = AuditStoreOption.Resolve("data", "Host=from-option", () => throw new InvalidOperationException("not read"));
        Assert.Equal(("Host=from-option", "--audit-postgres"), (store.PostgresConnectionString, store.PostgresSetting));
        store = AuditStoreOption.Resolve("data", null, () => both);
        Assert.Equal(("Host=from-variable", "VOICEBRIDGE_AUDIT_POSTGRES"), (store.PostgresConnectionString, store.PostgresSetting));
        store = AuditStoreOption.Resolve("data", " ", () => Settings((AuditStoreOption.EnvironmentVariable, ""), (AuditStore.PostgresKey, "Host=from-key")));
        Assert.Equal(("Host=from-key", "Audit:PostgresConnectionString"), (store.PostgresConnectionString, store.PostgresSetting));
        store = AuditStoreOption.Resolve("data", null, () => Settings());
        Assert.False(store.IsPostgres);
        Assert.Equal(Path.GetFullPath(Path.Combine("data", "audit.db")), store.Location);
        Assert.DoesNotContain("Sekrit", new AuditStore("data", "Host=h;Password=Sekrit-42").ToString());
        Assert.Equal("postgresql://vb@h:5433/audit", new AuditStore("data", "Host=h;Port=5433;Database=audit;Username=vb;Password=Sekrit-42").Location);
    }

    /// <summary>A process-wide event shaped as <c>BreakerAudit</c> makes them.</summary>
    private static AuditEvent Breaker(DateTimeOffset at) =>
        new("breaker", AuditEvent.NoCall, at, 0, "closed", "open", "openai-realtime: 3 failures in 30 s", """{"engine":"openai-realtime","from":"closed","to":"open"}""");

    private static AuditEvent Event(string call, int ms, string kind) =>
        new(kind, call, T0.AddMilliseconds(ms), ms, "openai-realtime", "local", "socket-lost", $$"""{"n":{{ms}}}""");

    private static async Task<(int Exit, string Printed)> AuditVerbAsync(params string[] args)
    {
        var printed = new StringWriter();
        var exit = await new RootCommand { AuditCommand.Create() }.Parse(args).InvokeAsync(new() { Output = printed, Error = printed });
        return (exit, printed.ToString());
    }

    /// <summary>No password, no stack trace.</summary>
    private static void AssertClean(string message)
    {
        Assert.DoesNotContain("Sekrit", message);
        Assert.DoesNotContain("   at ", message);
    }

    private static List<string> SqliteColumns(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info('audit_events') ORDER BY cid";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task<List<string>> PostgresColumnsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_events' ORDER BY ordinal_position", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
