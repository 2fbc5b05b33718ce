using System.Text.Json;
using VoiceBridge.Audit;

namespace VoiceBridge.Load;

/// <summary>
/// A storm's handoffs as the bridge audited them: each call's <c>call-ended</c> event lists its
/// switches with FAILOVER.md's figures (a Media Streams caller cannot see a switch, the bridge's
/// audit log can). Read from the SQLite audit.db in the bridge's data directory.
/// </summary>
public static class AuditHandoffs
{
    /// <summary>The switches of calls that ended from <paramref name="since"/>; null when there is no readable audit.db.</summary>
    public static HandoffDistribution? Read(string dataDirectory, DateTimeOffset since)
    {
        var path = SqliteAuditLog.PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var events = SqliteAuditLog.Query(path, null, since).ToList();
            var ended = events.Where(e => e.Kind == "call-ended").ToList();
            var exhausted = events.Where(e => e.Kind == "chain-exhausted").Select(e => e.CallId).Distinct(StringComparer.Ordinal).Count();
            return Of(ended.Count, ended.Select(e => e.DetailsJson)) with
            {
                CallsChainExhausted = exhausted,
                StallGraces = events.Count(e => e.Kind == "stall-grace"),
            };
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return null;
        }
    }

    /// <summary>
    /// The distribution over the switches in <c>call-ended</c> details (<c>switches[].HandoffMs</c>,
    /// <c>DeadAirMs</c>), and the calls whose switches lost caller audio or broke the outbound stream
    /// (<c>LostCallerAudioMs</c>, <c>OutboundDiscontinuities</c> above 0). The counts of other events
    /// (<see cref="HandoffDistribution.CallsChainExhausted"/>, <see cref="HandoffDistribution.StallGraces"/>)
    /// are <see cref="Read"/>'s.
    /// </summary>
    public static HandoffDistribution Of(int calls, IEnumerable<string> callEndedDetails)
    {
        var handoffs = new List<double>();
        var deadAir = new List<double>();
        var switches = 0;
        var callsSwitched = 0;
        var callsLosingAudio = 0;
        var callsWithDiscontinuities = 0;
        double lostMs = 0;
        double discontinuities = 0;
        foreach (var json in callEndedDetails)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                if (!doc.RootElement.TryGetProperty("switches", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                double callLost = 0, callDiscontinuities = 0;
                foreach (var s in list.EnumerateArray())
                {
                    switches++;
                    Add(s, "HandoffMs", handoffs);
                    Add(s, "DeadAirMs", deadAir);
                    callLost += Number(s, "LostCallerAudioMs");
                    callDiscontinuities += Number(s, "OutboundDiscontinuities");
                }

                callsSwitched += list.GetArrayLength() > 0 ? 1 : 0;
                callsLosingAudio += callLost > 0 ? 1 : 0;
                callsWithDiscontinuities += callDiscontinuities > 0 ? 1 : 0;
                lostMs += callLost;
                discontinuities += callDiscontinuities;
            }
            catch (JsonException)
            {
                // Details of another version's shape: not counted.
            }
        }

        return new HandoffDistribution(calls, switches, NearestRank(handoffs, 50), NearestRank(handoffs, 99), handoffs.Count == 0 ? null : handoffs.Max(),
            NearestRank(deadAir, 50), NearestRank(deadAir, 99))
        {
            CallsSwitched = callsSwitched,
            LostCallerAudioMs = lostMs,
            CallsLosingCallerAudio = callsLosingAudio,
            OutboundDiscontinuities = discontinuities,
            CallsWithDiscontinuities = callsWithDiscontinuities,
        };
    }

    /// <summary>The nearest-rank percentile (the value at rank ceil(p/100 * n)); null for no values.</summary>
    public static double? NearestRank(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var rank = (int)Math.Ceiling(percentile / 100 * values.Count);
        return values[Math.Clamp(rank, 1, values.Count) - 1];
    }

    private static double Number(JsonElement s, string name) =>
        s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;

    private static void Add(JsonElement s, string name, List<double> into)
    {
        if (s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number)
        {
            into.Add(v.GetDouble());
        }
    }
}
