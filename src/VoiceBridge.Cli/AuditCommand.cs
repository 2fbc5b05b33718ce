using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using VoiceBridge.Audit;

namespace VoiceBridge.Cli;

/// <summary><c>voicebridge audit</c>: the audit log's timelines, one per call.</summary>
internal static partial class AuditCommand
{
    private static readonly string[] Figures = ["handoffMs", "deadAirMs", "lostCallerAudioMs"];

    public static Command Create()
    {
        var dataDir = DataDirectory.CreateOption();
        var call = new Option<string?>("--call") { Description = "Only this call" };
        var since = new Option<string?>("--since") { Description = "Only events from this time: ISO 8601 (2026-11-25T15:00Z) or ago (10m, 2h, 1d)" };
        var command = new Command("audit", "Print the audit log: switches, the chain running out and call outcomes, per call")
        {
            dataDir, call, since,
        };
        command.SetAction(parse => Run(
            parse.GetValue(dataDir)!, parse.GetValue(call), parse.GetValue(since), DateTimeOffset.UtcNow, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Prints the timelines; 0 when printed, 2 for a bad option or a missing database.</summary>
    public static int Run(string dataDir, string? callId, string? since, DateTimeOffset now, TextWriter output, TextWriter error)
    {
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (ParseSince(since, now) is not { } parsed)
            {
                error.WriteLine($"audit: --since '{since}' is neither an ISO 8601 time (2026-11-25T15:00:00Z) nor a time ago (10m, 2h, 1d)");
                return 2;
            }

            from = parsed;
        }

        var path = Path.GetFullPath(SqliteAuditLog.PathIn(dataDir));
        if (!File.Exists(path))
        {
            error.WriteLine($"audit: no audit log at {path} (set --data-dir or VOICEBRIDGE_DATA to the node's data directory)");
            return 2;
        }

        IReadOnlyList<AuditEvent> events;
        try
        {
            events = SqliteAuditLog.Query(path, callId, from);
        }
        catch (SqliteException e)
        {
            error.WriteLine($"audit: cannot read {path}: {e.Message}");
            return 2;
        }

        if (events.Count == 0)
        {
            output.WriteLine($"audit: no events in {path}" + (callId is null ? "" : $" for call {callId}") + (from is null ? "" : $" since {from:O}"));
            return 0;
        }

        foreach (var call in events.GroupBy(e => e.CallId))
        {
            output.WriteLine($"call {call.Key}");
            foreach (var e in call)
            {
                output.WriteLine(Describe(e));
            }
        }

        return 0;
    }

    /// <summary>An ISO 8601 time (UTC unless it says otherwise), or a time ago: <c>10m</c>, <c>2h</c>, <c>1d</c>.</summary>
    public static DateTimeOffset? ParseSince(string value, DateTimeOffset now)
    {
        if (Ago().Match(value) is { Success: true } ago && int.TryParse(ago.Groups[1].Value, CultureInfo.InvariantCulture, out var n))
        {
            return now - (ago.Groups[2].Value switch { "m" => TimeSpan.FromMinutes(n), "h" => TimeSpan.FromHours(n), _ => TimeSpan.FromDays(n) });
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    private static string Describe(AuditEvent e)
    {
        var line = $"  {e.At.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}Z {e.CallMs,8} ms  {e.Kind,-15}";
        if (e.From is not null || e.To is not null)
        {
            line += $" {e.From ?? "-"} -> {e.To ?? "-"}";
        }

        if (e.Reason is not null)
        {
            line += $" ({e.Reason})";
        }

        using var details = JsonDocument.Parse(e.DetailsJson);
        var root = details.RootElement;
        line += FiguresOf(root);
        if (root.ValueKind == JsonValueKind.Object && Property(root, "switches") is { ValueKind: JsonValueKind.Array } switches)
        {
            foreach (var sw in switches.EnumerateArray())
            {
                line += $"\n      switch {Text(sw, "from")} -> {Text(sw, "to")} ({Text(sw, "reason")}){FiguresOf(sw)}";
            }
        }

        return line;
    }

    private static string FiguresOf(JsonElement element) =>
        element.ValueKind != JsonValueKind.Object
            ? ""
            : string.Concat(Figures.Select(name => Property(element, name) is { ValueKind: JsonValueKind.Number } v ? $" {name} {v}" : ""));

    private static string Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : "-";

    /// <summary>A property by name in any casing (the call path writes PascalCase).</summary>
    private static JsonElement? Property(JsonElement element, string name) =>
        element.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    [GeneratedRegex("^([0-9]+)([mhd])$")]
    private static partial Regex Ago();
}
