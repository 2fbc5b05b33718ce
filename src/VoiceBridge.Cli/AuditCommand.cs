using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using VoiceBridge.Audit;

namespace VoiceBridge.Cli;

/// <summary><c>voicebridge audit</c>: the audit log's timelines, one per call.</summary>
internal static partial class AuditCommand
{
    private static readonly string[] Figures = ["handoffMs", "deadAirMs", "lostCallerAudioMs"];

    public static Command Create()
    {
        var dataDir = DataDirectory.CreateOption();
        var postgres = AuditStoreOption.Create();
        var call = new Option<string?>("--call") { Description = "Only this call" };
        var since = new Option<string?>("--since") { Description = "Only events from this time: ISO 8601 (2026-11-25T15:00Z) or ago (10m, 2h, 1d)" };
        var command = new Command("audit", "Print the audit log: switches, the chain running out and call outcomes, per call")
        {
            dataDir, postgres, call, since,
        };
        command.SetAction(parse => Run(
            parse, dataDir, postgres, parse.GetValue(call), parse.GetValue(since), DateTimeOffset.UtcNow, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Prints the timelines; 0 when printed, 2 for a bad option or a store that cannot be read.</summary>
    public static int Run(AuditStore store, string? callId, string? since, DateTimeOffset now, TextWriter output, TextWriter error)
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

        if (!store.IsPostgres && !File.Exists(store.SqlitePath))
        {
            error.WriteLine($"audit: no audit log at {store.SqlitePath} (set --data-dir or VOICEBRIDGE_DATA to the node's data directory, or {AuditStoreOption.OptionName})");
            return 2;
        }

        IReadOnlyList<AuditEvent> events;
        string location;
        try
        {
            location = store.Location;
            events = store.Query(callId, from);
        }
        catch (AuditStoreException e)
        {
            error.WriteLine($"audit: {e.Message}");
            return 2;
        }

        if (events.Count == 0)
        {
            output.WriteLine($"audit: no events in {location}" + (callId is null ? "" : $" for call {callId}") + (from is null ? "" : $" since {from:O}"));
            return 0;
        }

        foreach (var call in events.GroupBy(e => e.CallId))
        {
            output.WriteLine(call.Key == AuditEvent.NoCall ? "process-wide (no call)" : $"call {call.Key}");
            foreach (var e in call)
            {
                output.WriteLine(Describe(e));
            }
        }

        return 0;
    }

    private static int Run(ParseResult parse, Option<string> dataDir, Option<string?> postgres, string? callId, string? since, DateTimeOffset now, TextWriter output, TextWriter error)
    {
        AuditStore store;
        try
        {
            store = AuditStoreOption.Resolve(parse, dataDir, postgres);
        }
        catch (AuditStoreException e)
        {
            error.WriteLine($"audit: {e.Message}");
            return 2;
        }

        return Run(store, callId, since, now, output, error);
    }

    /// <summary>
    /// An ISO 8601 time (UTC unless it says otherwise), or a time ago: <c>10m</c>, <c>2h</c>, <c>1d</c>;
    /// longer ago than the calendar goes is its start (everything).
    /// </summary>
    public static DateTimeOffset? ParseSince(string value, DateTimeOffset now)
    {
        if (Ago().Match(value) is { Success: true } ago && long.TryParse(ago.Groups[1].Value, CultureInfo.InvariantCulture, out var n))
        {
            var unit = ago.Groups[2].Value switch { "m" => TimeSpan.FromMinutes(1), "h" => TimeSpan.FromHours(1), _ => TimeSpan.FromDays(1) };
            return n >= (now - DateTimeOffset.MinValue).Ticks / unit.Ticks ? DateTimeOffset.MinValue : now - (unit * n);
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
