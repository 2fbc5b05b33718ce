using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Audit;

/// <summary>
/// Where a node's audit log lives: PostgreSQL when a connection string is configured
/// (<see cref="PostgresKey"/>), else the embedded <c>audit.db</c> in the data directory. Opens the
/// writer for <c>serve</c> and <c>replay</c> and reads for <c>audit</c>; either way a store that
/// cannot be used is an <see cref="AuditStoreException"/> naming the setting that chose it.
/// </summary>
public sealed class AuditStore
{
    /// <summary>The configuration key of the PostgreSQL connection string.</summary>
    public const string PostgresKey = "Audit:PostgresConnectionString";

    /// <param name="dataDirectory">The data directory whose <c>audit.db</c> is used when no connection string is set.</param>
    /// <param name="postgresConnectionString">An Npgsql connection string; null or blank: SQLite.</param>
    /// <param name="postgresSetting">The option, variable or key the connection string came from, for error messages.</param>
    public AuditStore(string dataDirectory, string? postgresConnectionString = null, string postgresSetting = PostgresKey)
    {
        DataDirectory = dataDirectory;
        PostgresConnectionString = string.IsNullOrWhiteSpace(postgresConnectionString) ? null : postgresConnectionString;
        PostgresSetting = postgresSetting;
    }

    public string DataDirectory { get; }

    public string? PostgresConnectionString { get; }

    public string PostgresSetting { get; }

    public bool IsPostgres => PostgresConnectionString is not null;

    /// <summary>The SQLite database file (used when <see cref="IsPostgres"/> is false).</summary>
    public string SqlitePath => Path.GetFullPath(SqliteAuditLog.PathIn(DataDirectory));

    /// <summary>The file, or <c>postgresql://user@host:port/database</c> (never the password).</summary>
    public string Location => IsPostgres ? Postgres(() => PostgresAuditLog.Describe(PostgresConnectionString!)) : SqlitePath;

    /// <summary>Opens the writer: connects and creates the table when missing.</summary>
    public async Task<QueuedAuditLog> OpenAsync(ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!IsPostgres)
        {
            try
            {
                return new SqliteAuditLog(SqlitePath, loggers.CreateLogger<SqliteAuditLog>());
            }
            catch (Exception e) when (e is DbException or IOException or UnauthorizedAccessException)
            {
                throw new AuditStoreException($"cannot open the audit log at {SqlitePath} (--data-dir, VOICEBRIDGE_DATA): {AuditStoreException.Reasons(e)}", e);
            }
        }

        try
        {
            return await PostgresAuditLog.OpenAsync(PostgresConnectionString!, loggers.CreateLogger<PostgresAuditLog>(), cancellationToken: cancellationToken);
        }
        catch (AuditStoreException e)
        {
            throw Named(e);
        }
    }

    /// <summary>The events, in time order, optionally of one call and from a time.</summary>
    public IReadOnlyList<AuditEvent> Query(string? callId, DateTimeOffset? since)
    {
        if (!IsPostgres)
        {
            try
            {
                return SqliteAuditLog.Query(SqlitePath, callId, since);
            }
            catch (DbException e)
            {
                throw new AuditStoreException($"cannot read {SqlitePath}: {e.Message}", e);
            }
        }

        return Postgres(() => PostgresAuditLog.Query(PostgresConnectionString!, callId, since));
    }

    /// <summary>Never the connection string: it may hold a password.</summary>
    public override string ToString() => IsPostgres ? $"PostgreSQL ({PostgresSetting})" : SqlitePath;

    private T Postgres<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (AuditStoreException e)
        {
            throw Named(e);
        }
    }

    private AuditStoreException Named(AuditStoreException e) => new($"{PostgresSetting}: {e.Message}", e.InnerException);
}
