using System.Text;

namespace VoiceBridge.Replay.Html;

/// <summary>
/// The replay report as one self-contained HTML page (report.json beside report.html): inline CSS
/// and SVG drawn here, no script, no fonts or images fetched, so it opens from a CI artifact on a
/// machine with no network. Every string of the report is untrusted (transcripts come from
/// callers and providers) and is HTML-encoded on the way out; the page's own policy forbids
/// scripts and fetches besides. The markup is also well-formed XML (after the doctype), so tools
/// and tests can read it with an XML parser.
/// </summary>
public static partial class ReplayHtmlReport
{
    /// <summary>Writes <see cref="Render"/>'s page to <paramref name="path"/> (UTF-8), creating its folder.</summary>
    public static void Write(ReplayReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(path, Render(report), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    /// <summary>The whole page: the run's header, then one section per call.</summary>
    public static string Render(ReplayReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var calls = HtmlText.List(report.Calls);
        var page = new StringBuilder(16 * 1024 + calls.Count * 16 * 1024);
        page.Append("""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>VoiceBridge replay report</title>
            <style>
            """).Append(Css).Append("""
            </style>
            </head>
            <body>

            """);
        AppendRunHeader(page, report, calls);
        for (var i = 0; i < calls.Count; i++)
        {
            AppendCall(page, calls[i], i + 1);
        }

        page.Append("</body>\n</html>\n");
        return page.ToString();
    }

    private static void AppendRunHeader(StringBuilder page, ReplayReport report, IReadOnlyList<ReplayCallReport> calls)
    {
        var s = report.Summary;
        page.Append("<header id=\"run\">\n<h1>Replay report</h1>\n<dl class=\"figures\">\n");
        HtmlText.Figure(page, "calls", s?.Calls ?? calls.Count);
        HtmlText.Figure(page, "passed", s?.Passed ?? calls.Count(c => c.Status == CallStatus.Passed));
        HtmlText.Figure(page, "failed", s?.Failed ?? calls.Count(c => c.Status == CallStatus.Failed));
        HtmlText.Figure(page, "bad input", s?.BadInput ?? calls.Count(c => c.Status == CallStatus.BadInput));
        HtmlText.Figure(page, "internal errors", s?.InternalErrors ?? calls.Count(c => c.Status == CallStatus.InternalError));
        if (s is not null)
        {
            HtmlText.Figure(page, "exit code", s.ExitCode);
            if (s.Clock is { } clock)
            {
                HtmlText.Figure(page, "clock", clock);
            }

            HtmlText.Figure(page, "first-audio latency p50", HtmlText.Ms(s.FirstAudioLatencyP50Ms));
            HtmlText.Figure(page, "first-audio latency max", HtmlText.Ms(s.FirstAudioLatencyMaxMs));
        }

        page.Append("</dl>\n");
        var chains = calls.Select(c => string.Join(" \u2192 ", HtmlText.List(c.Chain))).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        page.Append("<p class=\"chain\">Chain: ")
            .Append(chains.Count == 0 ? "-" : string.Join("; ", chains.Select(c => "<code>" + HtmlText.E(c) + "</code>")))
            .Append("</p>\n");

        var switches = calls.SelectMany(c => HtmlText.List(c.Switches)).ToList();
        page.Append("<div class=\"distributions\">\n");
        DistributionSvg.Append(page, "handoff", "Handoff (handoffMs), every switch", switches.Select(sw => sw.HandoffMs).OfType<long>().ToList());
        DistributionSvg.Append(page, "detection", "Detection (detectedAtMs - faultAtMs), every switch", switches.Select(ReplaySummary.DetectionMsOf).OfType<long>().ToList());
        page.Append("</div>\n");

        page.Append("<table class=\"calls\">\n<tr><th>#</th><th>recording</th><th>faults</th><th>status</th><th>turns</th><th>switches</th><th>duration</th></tr>\n");
        for (var i = 0; i < calls.Count; i++)
        {
            var c = calls[i];
            page.Append($"<tr><td><a href=\"#call-{i + 1}\">{i + 1}</a></td><td>{HtmlText.E(c.File)}</td><td>{HtmlText.E(Faults(c))}</td><td>{StatusBadge(c.Status)}</td>")
                .Append($"<td>{HtmlText.List(c.Turns).Count}</td><td>{HtmlText.List(c.Switches).Count}</td><td>{c.DurationMs} ms</td></tr>\n");
        }

        page.Append("</table>\n</header>\n");
    }

    /// <summary>The fault specs injected into the call, or "none".</summary>
    private static string Faults(ReplayCallReport call) => HtmlText.List(call.Faults) is { Count: > 0 } faults ? string.Join(" ", faults) : "none";

    private static string StatusBadge(CallStatus status) => status switch
    {
        CallStatus.Passed => "<span class=\"status passed\">passed</span>",
        CallStatus.Failed => "<span class=\"status failed\">failed</span>",
        CallStatus.BadInput => "<span class=\"status bad-input\">bad input</span>",
        _ => "<span class=\"status internal-error\">internal error</span>",
    };

    private const string Css = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; max-width: 1200px; }
        h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { font-size: 1.2rem; margin: 0 0 .5rem; } h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
        section.call { border-top: 2px solid #ccd; margin-top: 2rem; padding-top: 1rem; }
        dl.figures { display: flex; flex-wrap: wrap; gap: .3rem 1.5rem; margin: .5rem 0; }
        dl.figures div { display: flex; gap: .4rem; } dl.figures dt { color: #667; } dl.figures dd { margin: 0; font-weight: 600; }
        table { border-collapse: collapse; margin: .3rem 0; }
        th, td { border: 1px solid #dde; padding: .2rem .5rem; text-align: left; vertical-align: top; }
        th { background: #f2f4f8; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .status { padding: .05rem .5rem; border-radius: 4px; color: #fff; font-weight: 600; }
        .passed { background: #2e7d32; } .failed { background: #c62828; } .bad-input { background: #8d6e00; } .internal-error { background: #6a1b9a; }
        ul.failures li { color: #b71c1c; } ul.errors li { color: #6d4c41; }
        .heard { color: #667; display: block; } .cut { color: #c62828; font-weight: 600; }
        tr.user td.role { color: #1565c0; } tr.assistant td.role { color: #2e7d32; }
        .distributions { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: .5rem 0; }
        svg { font: 11px system-ui, sans-serif; background: #fff; }
        svg .axis line, svg .axis path { stroke: #99a; } svg .grid { stroke: #eef; }
        svg .lane-bg { fill: #f7f8fb; }
        svg .speech.caller { fill: #1e88e5; } svg .speech.agent { fill: #43a047; } svg .speech.agent.cut { fill: #a5d6a7; stroke: #c62828; stroke-width: 1.5; }
        svg .speech.dtmf { fill: #8e24aa; }
        svg .marker { stroke-width: 2; } svg .marker.fault { stroke: #d32f2f; } svg .marker.detection { stroke: #f57c00; stroke-dasharray: 4 2; }
        svg .marker.first-audio { stroke: #2e7d32; stroke-dasharray: 1 2; }
        svg .engine.e0 { fill: #5c6bc0; } svg .engine.e1 { fill: #26a69a; } svg .engine.e2 { fill: #ffa726; } svg .engine.e3 { fill: #8d6e63; }
        svg .engine.e4 { fill: #ec407a; } svg .engine.e5 { fill: #78909c; } svg .engine.handoff { fill-opacity: .35; }
        svg .dot { fill: #3949ab; fill-opacity: .7; } svg .pct { stroke-width: 1.5; } svg .pct.p50 { stroke: #2e7d32; } svg .pct.p95 { stroke: #c62828; }
        svg text.engine-name { fill: #fff; } svg text.switch-label { fill: #1d2330; font-weight: 600; }
        svg.switch-detail { margin-top: .5rem; border-top: 1px dashed #dde; } svg .handoff-span line { stroke: #1d2330; stroke-width: 1.5; }
        svg .marker-label.fault { fill: #d32f2f; } svg .marker-label.detection { fill: #e65100; } svg .marker-label.first-audio { fill: #2e7d32; }
        svg .figure-name { fill: #667; } svg .figure-value { font-weight: 600; }
        .legend span { display: inline-flex; align-items: center; gap: .3rem; margin-right: 1rem; }
        .legend i { display: inline-block; width: 14px; height: 10px; }
        .timeline { overflow-x: auto; }
        code { background: #f2f4f8; padding: 0 .2rem; border-radius: 3px; }
        """;
}
