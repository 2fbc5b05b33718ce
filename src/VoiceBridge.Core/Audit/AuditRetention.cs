using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace VoiceBridge.Audit;

/// <summary>
/// Caller data kept no longer than the operator says (<c>--retention-days</c>): audit events older
/// than the retention window are deleted from the audit store (SQLite <c>audit.db</c> or
/// PostgreSQL), once at start-up and then every day on the injected clock. The audit store is the
/// only caller data <c>serve</c> keeps at rest: caller numbers in call events, and transcripts in
/// shadow-mode comparisons; it records no audio.
/// </summary>
public sealed partial class AuditRetention : IDisposable
{
    /// <summary>The longest retention taken (ten years); longer is a typo.</summary>
    public const int MaxDays = 3650;

    private readonly AuditStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _daily;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is not 1 to <see cref="MaxDays"/>.</exception>
    public AuditRetention(AuditStore store, int days, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(days, MaxDays);
        _store = store;
        Days = days;
        _time = time;
        _logger = logger;
    }

    public int Days { get; }

    /// <summary>Purges now, then every 24 hours until disposed.</summary>
    public void Start()
    {
        Purge();
        _daily = _time.CreateTimer(_ => Purge(), null, TimeSpan.FromDays(1), TimeSpan.FromDays(1));
    }

    /// <summary>Deletes the events older than <see cref="Days"/> days; returns how many (0 after a failure, which is logged).</summary>
    public int Purge()
    {
        DateTimeOffset cutoff = _time.GetUtcNow().AddDays(-Days);
        try
        {
            int deleted = _store.IsPostgres ? PurgePostgres(_store.PostgresConnectionString!, cutoff) : PurgeSqlite(_store.SqlitePath, cutoff);
            Log.Purged(_logger, deleted, Days, _store.ToString());
            return deleted;
        }
        catch (Exception e) when (e is DbException or IOException or InvalidOperationException or ArgumentException)
        {
            Log.Failed(_logger, _store.ToString(), e.Message);
            return 0;
        }
    }

    public void Dispose() => _daily?.Dispose();

    private static int PurgeSqlite(string path, DateTimeOffset cutoff)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM audit_events WHERE at_utc < $cutoff";
        // The same fixed-width UTC text the writer stores, so text order is time order.
        command.Parameters.AddWithValue("$cutoff", cutoff.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        return command.ExecuteNonQuery();
    }

    private static int PurgePostgres(string connectionString, DateTimeOffset cutoff)
    {
        using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var command = dataSource.CreateCommand("DELETE FROM audit_events WHERE at_utc < $1");
        command.Parameters.Add(new NpgsqlParameter { Value = cutoff.ToUniversalTime() });
        return command.ExecuteNonQuery();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Retention: {Deleted} audit events older than {Days} days deleted from {Store}")]
        public static partial void Purged(ILogger logger, int deleted, int days, string store);

        [LoggerMessage(2, LogLevel.Error, "Retention: purging {Store} failed: {Error}; the next try is in a day")]
        public static partial void Failed(ILogger logger, string store, string error);
    }
}
