using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Audit;

/// <summary>
/// The embedded audit log: <c>audit.db</c> (SQLite) in the data directory, written through the
/// queue and batching writer of <see cref="QueuedAuditLog"/>.
/// </summary>
public sealed class SqliteAuditLog : QueuedAuditLog
{
    /// <summary>The database's file name in the data directory.</summary>
    public const string FileName = "audit.db";

    private readonly SqliteConnection _connection;

    /// <summary>Opens (creating if missing) the database at <paramref name="path"/> and starts the writer.</summary>
    public SqliteAuditLog(string path, ILogger? logger = null, int capacity = 10_000)
        : base(System.IO.Path.GetFullPath(path), logger, capacity)
    {
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
    }

    /// <summary>The database file.</summary>
    public string Path => Location;

    /// <summary>The database file in <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => System.IO.Path.Combine(dataDirectory, FileName);

    /// <summary>The events written so far, in time order.</summary>
    public IReadOnlyList<AuditEvent> Query(string? callId, DateTimeOffset? since) => Query(Path, callId, since);

    /// <summary>The events of the database at <paramref name="path"/>, in time order, optionally of one call and from a time.</summary>
    public static IReadOnlyList<AuditEvent> Query(string path, string? callId, DateTimeOffset? since)
    {
        using var connection = Open(path, SqliteOpenMode.ReadOnly);
        return AuditTable.Query(
            connection,
            callId,
            since is { } s ? Format(s) : null,
            (reader, i) => DateTimeOffset.Parse(reader.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    }

    /// <inheritdoc/>
    protected override Task WriteAsync(IReadOnlyList<AuditEvent> batch)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO audit_events ({AuditTable.Columns})
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
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    protected override ValueTask CloseAsync() => _connection.DisposeAsync();

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
