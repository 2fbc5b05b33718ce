using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VoiceBridge.Audit;

/// <summary>
/// The embedded audit log: <c>audit.db</c> (SQLite) in the data directory. <see cref="Record"/>
/// only queues (a bounded channel; an overflow is counted and logged, never silent); one
/// background writer inserts in batches. <see cref="DisposeAsync"/> drains the queue, so a clean
/// stop loses nothing.
/// </summary>
public sealed class SqliteAuditLog : IAuditLog, IAsyncDisposable
{
    /// <summary>The database's file name in the data directory.</summary>
    public const string FileName = "audit.db";

    private const int BatchSize = 256;

    private readonly Channel<AuditEvent> _queue;
    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private long _dropped;
    private long _failed;

    /// <summary>Opens (creating if missing) the database at <paramref name="path"/> and starts the writer.</summary>
    public SqliteAuditLog(string path, ILogger? logger = null, int capacity = 10_000)
    {
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger ?? NullLogger.Instance;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _connection = Open(Path, SqliteOpenMode.ReadWriteCreate);
        Execute(_connection, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS audit_events (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                call_id TEXT NOT NULL,
                at_utc TEXT NOT NULL,
                call_ms INTEGER NOT NULL,
                from_engine TEXT,
                to_engine TEXT,
                reason TEXT,
                details_json TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS audit_events_call_at ON audit_events (call_id, at_utc);
            """);
        _queue = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Events refused because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events lost because the database refused a batch.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The database file in <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => System.IO.Path.Combine(dataDirectory, FileName);

    /// <summary>Queues the event; never blocks.</summary>
    public void Record(AuditEvent auditEvent)
    {
        if (_queue.Writer.TryWrite(auditEvent))
        {
            return;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 1000 == 0)
        {
            _logger.LogError("audit queue full: dropped {Kind} event of call {CallId} ({Dropped} dropped so far)", auditEvent.Kind, auditEvent.CallId, dropped);
        }
    }

    /// <summary>The events written so far, in time order.</summary>
    public IReadOnlyList<AuditEvent> Query(string? callId, DateTimeOffset? since) => Query(Path, callId, since);

    /// <summary>The events of the database at <paramref name="path"/>, in time order, optionally of one call and from a time.</summary>
    public static IReadOnlyList<AuditEvent> Query(string path, string? callId, DateTimeOffset? since)
    {
        using var connection = Open(path, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT kind, call_id, at_utc, call_ms, from_engine, to_engine, reason, details_json FROM audit_events
            WHERE ($call IS NULL OR call_id = $call) AND ($since IS NULL OR at_utc >= $since)
            ORDER BY at_utc, id
            """;
        command.Parameters.AddWithValue("$call", (object?)callId ?? DBNull.Value);
        command.Parameters.AddWithValue("$since", since is { } s ? Format(s) : DBNull.Value);
        using var reader = command.ExecuteReader();
        var events = new List<AuditEvent>();
        while (reader.Read())
        {
            events.Add(new AuditEvent(
                reader.GetString(0),
                reader.GetString(1),
                DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetString(7)));
        }

        return events;
    }

    /// <summary>Stops taking events, writes everything queued, closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        await _connection.DisposeAsync();
        if (Dropped > 0 || Failed > 0)
        {
            _logger.LogError("audit log {Path} closed: {Dropped} events dropped (queue full), {Failed} lost (write errors)", Path, Dropped, Failed);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<AuditEvent>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var auditEvent))
            {
                batch.Add(auditEvent);
            }

            try
            {
                Insert(batch);
            }
            catch (SqliteException e)
            {
                Interlocked.Add(ref _failed, batch.Count);
                _logger.LogError(e, "audit log {Path}: {Count} events could not be written", Path, batch.Count);
            }

            batch.Clear();
        }
    }

    private void Insert(List<AuditEvent> batch)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO audit_events (kind, call_id, at_utc, call_ms, from_engine, to_engine, reason, details_json)
            VALUES ($kind, $call, $at, $ms, $from, $to, $reason, $details)
            """;
        var p = new[] { "$kind", "$call", "$at", "$ms", "$from", "$to", "$reason", "$details" }
            .Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name }))
            .ToArray();
        command.Prepare();
        foreach (var e in batch)
        {
            p[0].Value = e.Kind;
            p[1].Value = e.CallId;
            p[2].Value = Format(e.At);
            p[3].Value = e.CallMs;
            p[4].Value = (object?)e.From ?? DBNull.Value;
            p[5].Value = (object?)e.To ?? DBNull.Value;
            p[6].Value = (object?)e.Reason ?? DBNull.Value;
            p[7].Value = e.DetailsJson;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>UTC, fixed width, so text order is time order.</summary>
    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
