using System.Data.Common;

namespace VoiceBridge.Audit;

/// <summary>
/// The <c>audit_events</c> table every store keeps (same columns in SQLite and PostgreSQL), and the
/// one query the <c>audit</c> verb runs on it.
/// </summary>
internal static class AuditTable
{
    /// <summary>The columns an <see cref="AuditEvent"/> is stored in, in its parameters' order.</summary>
    public const string Columns = "kind, call_id, at_utc, call_ms, from_engine, to_engine, reason, details_json";

    /// <summary>
    /// The events, in time order (insertion order within one instant), of one call when
    /// <paramref name="callId"/> is given and from <paramref name="since"/> (the store's form of the
    /// time) when given. <paramref name="readAt"/> reads the store's form of <c>at_utc</c>.
    /// </summary>
    public static IReadOnlyList<AuditEvent> Query(DbConnection connection, string? callId, object? since, Func<DbDataReader, int, DateTimeOffset> readAt)
    {
        using var command = connection.CreateCommand();
        var filters = new List<string>(2);
        if (callId is not null)
        {
            filters.Add("call_id = @call");
            AddParameter(command, "@call", callId);
        }

        if (since is not null)
        {
            filters.Add("at_utc >= @since");
            AddParameter(command, "@since", since);
        }

        command.CommandText = $"SELECT {Columns} FROM audit_events{(filters.Count == 0 ? "" : " WHERE " + string.Join(" AND ", filters))} ORDER BY at_utc, id";
        using var reader = command.ExecuteReader();
        var events = new List<AuditEvent>();
        while (reader.Read())
        {
            events.Add(new AuditEvent(
                reader.GetString(0),
                reader.GetString(1),
                readAt(reader, 2),
                reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetString(7)));
        }

        return events;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
