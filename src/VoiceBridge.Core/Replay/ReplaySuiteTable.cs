using System.Globalization;

namespace VoiceBridge.Replay;

/// <summary>
/// The summary table of a run, one row per call (and one more per further switch): the recording,
/// its faults, its status, FAILOVER.md's handoff figures of each switch and whether the switches
/// matched what the faults should do. The cells are text, so a terminal front end draws the same
/// table its own way; <see cref="WritePlain"/> writes it as aligned plain text.
/// </summary>
public static class ReplaySuiteTable
{
    public static IReadOnlyList<string> Columns { get; } =
    [
        "recording", "faults", "status", "switch", "reason", "detect ms", "handoff ms", "dead air ms", "lost ms",
        "replayed ms/turns", "repeated words", "dup audio ms", "discont.", "history", "expected", "match",
    ];

    /// <summary>The rows of <paramref name="calls"/>, each as many cells as <see cref="Columns"/>.</summary>
    public static IEnumerable<string[]> Rows(IReadOnlyList<ReplaySuiteCall> calls)
    {
        foreach (var call in calls)
        {
            var report = call.Report;
            var head = new[] { Path.GetFileName(report.File), FaultsText(report), StatusText(report.Status) };
            var tail = new[] { call.Expected?.Text ?? "-", call.Matched switch { true => "yes", false => "NO", null => "-" } };
            if (report.Switches.Count == 0)
            {
                yield return [.. head, "-", "", "", "", "", "", "", "", "", "", "", .. tail];
                continue;
            }

            for (var i = 0; i < report.Switches.Count; i++)
            {
                var sw = report.Switches[i];
                string[] figures =
                [
                    $"{sw.From} -> {sw.To}", sw.Reason, Ms(ReplaySummary.DetectionMsOf(sw)), Ms(sw.HandoffMs), Ms(sw.DeadAirMs),
                    Ms(sw.LostCallerAudioMs), $"{Ms(sw.ReplayedCallerAudioMs)}/{sw.SeededTurns}", Ms(sw.RepeatedAgentWords),
                    Ms(sw.DuplicateAgentAudioMs), Ms(sw.OutboundDiscontinuities), Ms(sw.HistoryTurnsCarried),
                ];
                yield return i == 0 ? [.. head, .. figures, .. tail] : ["", "", "", .. figures, "", ""];
            }
        }
    }

    /// <summary>The columns of <see cref="CompactRows"/>: a switch's figures in one labelled cell, for a terminal too narrow for <see cref="Columns"/>.</summary>
    public static IReadOnlyList<string> CompactColumns { get; } = ["recording", "faults", "status", "switch", "figures", "expected", "match"];

    /// <summary><see cref="Rows"/> with each switch's figures in one cell, each figure named.</summary>
    public static IEnumerable<string[]> CompactRows(IReadOnlyList<ReplaySuiteCall> calls) =>
        Rows(calls).Select(r => r[4].Length == 0
            ? new[] { r[0], r[1], r[2], r[3], "", r[14], r[15] }
            : [r[0], r[1], r[2], $"{r[3]} ({r[4]})",
               $"detect {r[5]} ms, handoff {r[6]} ms, dead air {r[7]} ms, lost {r[8]} ms, replayed {r[9]} ms/turns, repeated {r[10]} words, duplicate {r[11]} ms, discontinuities {r[12]}, history {r[13]} turns",
               r[14], r[15]]);

    /// <summary>The width <see cref="Columns"/> take drawn with a border between cells and one space either side.</summary>
    public static int Width(IReadOnlyList<ReplaySuiteCall> calls)
    {
        var rows = Rows(calls).ToList();
        return Columns.Select((c, i) => rows.Select(r => r[i].Length).Append(c.Length).Max() + 3).Sum() + 1;
    }

    /// <summary>The table as aligned plain text: a header, a rule, the rows.</summary>
    public static void WritePlain(TextWriter output, IReadOnlyList<ReplaySuiteCall> calls)
    {
        var rows = Rows(calls).ToList();
        var widths = Columns.Select((c, i) => rows.Select(r => r[i].Length).Append(c.Length).Max()).ToArray();
        void Line(IReadOnlyList<string> cells) =>
            output.WriteLine(string.Join("  ", cells.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        Line(Columns);
        Line([.. widths.Select(w => new string('-', w))]);
        rows.ForEach(Line);
    }

    /// <summary>Calls that did not pass, one line each with every failure or error: what a reader needs after the table.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<ReplaySuiteCall> calls) =>
        calls.Where(c => c.Report.Status != CallStatus.Passed).Select(c => Describe(c.Report));

    /// <summary>One call as a plain line (more lines for its switches and failures).</summary>
    public static string Describe(ReplayCallReport call)
    {
        var detail = call.Status switch
        {
            CallStatus.Passed or CallStatus.Failed =>
                $"{call.Turns.Count(t => t.Role == "user")} user turns, {call.Turns.Count(t => t.Role == "assistant")} replies, latency {string.Join("/", call.Turns.Where(t => t.FirstAudioLatencyMs is not null).Select(t => t.FirstAudioLatencyMs))} ms"
                + (call.Channel is { } channel ? $"\n    caller channel: {channel}" : "")
                + (call.Media is { } media ? $"\n    RTP: {media.PacketsReceived} packets in, {media.PacketsSent} out; jitter buffer target {media.JitterTargetDelayMs} ms, concealed {media.ConcealedMs} ms, late {media.LatePackets}, discarded {media.DiscardedPackets}" : "")
                + string.Concat(call.Switches.Select(sw => $"\n    switch {sw.From} -> {sw.To} ({sw.Reason}): fault {sw.FaultAtMs?.ToString(CultureInfo.InvariantCulture) ?? "-"} ms, detected {sw.DetectedAtMs} ms, handoff {sw.HandoffMs?.ToString(CultureInfo.InvariantCulture) ?? "-"} ms, dead air {sw.DeadAirMs?.ToString(CultureInfo.InvariantCulture) ?? "-"} ms, lost {sw.LostCallerAudioMs} ms, replayed {sw.ReplayedCallerAudioMs} ms"))
                + string.Concat(call.Failures.Select(f => "\n    - " + f)),
            _ => string.Join("; ", call.Errors.Concat(call.Failures)),
        };
        var faults = call.Faults.Count > 0 ? $" [{string.Join(" ", call.Faults)}]" : "";
        return $"{StatusText(call.Status),-9} {call.File}{faults}: {detail}";
    }

    public static string StatusText(CallStatus status) => status switch
    {
        CallStatus.Passed => "PASS",
        CallStatus.Failed => "FAIL",
        CallStatus.BadInput => "BAD INPUT",
        _ => "INTERNAL ERROR",
    };

    private static string FaultsText(ReplayCallReport report) => report.Faults.Count == 0 ? "none" : string.Join(" ", report.Faults);

    private static string Ms(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
