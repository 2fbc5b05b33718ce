using System.Data.Common;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace VoiceBridge.Audit;

/// <summary>
/// The audit log in PostgreSQL (a cluster's nodes share one): the table <c>audit_events</c>, with
/// the SQLite table's columns, created if missing. Written through the queue and batching writer
/// of <see cref="QueuedAuditLog"/>, each batch one binary <c>COPY</c> on a pooled connection, so a
/// server restart costs at most the batches written while it was down (counted and logged).
/// <c>at_utc</c> is a <c>timestamptz</c> (microseconds); <c>details_json</c> is text, exactly as recorded.
/// </summary>
public sealed class PostgresAuditLog : QueuedAuditLog
{
    /// <summary>Creates the table if missing; the advisory lock serialises nodes that start at once.</summary>
    private const string CreateTable = """
        SELECT pg_advisory_xact_lock(hashtext('voicebridge.audit_events'));
        CREATE TABLE IF NOT EXISTS audit_events (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind text NOT NULL,
            call_id text NOT NULL,
            at_utc timestamptz NOT NULL,
            call_ms bigint NOT NULL,
            from_engine text,
            to_engine text,
            reason text,
            details_json text NOT NULL);
        CREATE INDEX IF NOT EXISTS audit_events_call_at ON audit_events (call_id, at_utc);
        CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events (at_utc);
        """;

    private readonly NpgsqlDataSource _dataSource;

    private PostgresAuditLog(NpgsqlDataSource dataSource, string location, ILogger? logger, int capacity)
        : base(location, logger, capacity)
    {
        _dataSource = dataSource;
    }

    /// <summary>
    /// Connects, creates the table if missing and starts the writer. A connection string Npgsql
    /// cannot use, or a server that cannot be reached or refuses us, is an
    /// <see cref="AuditStoreException"/> that says which (never with the password).
    /// </summary>
    public static async Task<PostgresAuditLog> OpenAsync(string connectionString, ILogger? logger = null, int capacity = 10_000, CancellationToken cancellationToken = default)
    {
        var dataSource = CreateDataSource(connectionString, out var location);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand(CreateTable, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e)
        {
            await dataSource.DisposeAsync();
            if (e is DbException or TimeoutException)
            {
                throw new AuditStoreException($"cannot open the audit log at {location}: {AuditStoreException.Reasons(e)}", e);
            }

            throw;
        }

        return new PostgresAuditLog(dataSource, location, logger, capacity);
    }

    /// <summary>
    /// Where a connection string points, for logs and the console: <c>postgresql://user@host:port/database</c>,
    /// never the password. An <see cref="AuditStoreException"/> if Npgsql cannot use it.
    /// </summary>
    public static string Describe(string connectionString)
    {
        using var _ = CreateDataSource(connectionString, out var location);
        return location;
    }

    /// <summary>
    /// The events of the database <paramref name="connectionString"/> names, in time order, optionally
    /// of one call and from a time. An <see cref="AuditStoreException"/> when it cannot be read.
    /// </summary>
    public static IReadOnlyList<AuditEvent> Query(string connectionString, string? callId, DateTimeOffset? since)
    {
        using var dataSource = CreateDataSource(connectionString, out var location);
        try
        {
            using var connection = dataSource.OpenConnection();
            return AuditTable.Query(connection, callId, since?.ToUniversalTime(), (reader, i) => reader.GetFieldValue<DateTimeOffset>(i));
        }
        catch (Exception e) when (e is DbException or TimeoutException)
        {
            throw new AuditStoreException($"cannot read the audit log at {location}: {AuditStoreException.Reasons(e)}", e);
        }
    }

    /// <inheritdoc/>
    protected override async Task WriteAsync(IReadOnlyList<AuditEvent> batch)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var import = await connection.BeginBinaryImportAsync($"COPY audit_events ({AuditTable.Columns}) FROM STDIN (FORMAT BINARY)");
        foreach (var e in batch)
        {
            await import.StartRowAsync();
            await import.WriteAsync(e.Kind, NpgsqlDbType.Text);
            await import.WriteAsync(e.CallId, NpgsqlDbType.Text);
            await import.WriteAsync(e.At.UtcDateTime, NpgsqlDbType.TimestampTz);
            await import.WriteAsync(e.CallMs, NpgsqlDbType.Bigint);
            await WriteNullableAsync(import, e.From);
            await WriteNullableAsync(import, e.To);
            await WriteNullableAsync(import, e.Reason);
            await import.WriteAsync(e.DetailsJson, NpgsqlDbType.Text);
        }

        await import.CompleteAsync();
    }

    /// <inheritdoc/>
    protected override ValueTask CloseAsync() => _dataSource.DisposeAsync();

    /// <summary>A data source (no connection yet) and where it points; Npgsql's own checks turned into our clear error.</summary>
    private static NpgsqlDataSource CreateDataSource(string connectionString, out string location)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var user = string.IsNullOrEmpty(builder.Username) ? "" : builder.Username + "@";
            var database = builder.Database ?? builder.Username;
            location = $"postgresql://{user}{builder.Host}:{builder.Port}{(string.IsNullOrEmpty(database) ? "" : "/" + database)}";
            return NpgsqlDataSource.Create(builder.ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            throw new AuditStoreException(
                $"not a valid PostgreSQL connection string ({e.Message}); the form is Host=HOST;Port=5432;Database=DB;Username=USER;Password=...", null);
        }
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter import, string? value) =>
        value is null ? import.WriteNullAsync() : import.WriteAsync(value, NpgsqlDbType.Text);
}
