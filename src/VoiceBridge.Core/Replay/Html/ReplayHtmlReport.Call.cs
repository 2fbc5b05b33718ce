using System.Text;

namespace VoiceBridge.Replay.Html;

/// <summary>One call's section: its status and figures, what failed, the timeline, every switch's figures.</summary>
public static partial class ReplayHtmlReport
{
    private static void AppendCall(StringBuilder page, ReplayCallReport call, int n)
    {
        page.Append($"<section class=\"call\" id=\"call-{n}\" data-status=\"{StatusName(call.Status)}\">\n")
            .Append($"<h2>{n}. {HtmlText.E(call.File)} {StatusBadge(call.Status)}</h2>\n<dl class=\"figures\">\n");
        HtmlText.Figure(page, "leg", call.Leg);
        HtmlText.Figure(page, "duration", HtmlText.Ms(call.DurationMs));
        HtmlText.Figure(page, "caller audio", HtmlText.Ms(call.CallerAudioMs));
        if (call.ExpectedUtterances is { } expected)
        {
            HtmlText.Figure(page, "expected utterances", expected);
        }

        if (call.Outbound is { } outbound)
        {
            HtmlText.Figure(page, "agent frames sent", outbound.Frames);
            HtmlText.Figure(page, "frames received", outbound.FramesReceived);
            HtmlText.Figure(page, "discontinuities", outbound.Discontinuities);
            HtmlText.Figure(page, "dropouts heard", outbound.DropoutsHeard);
        }

        HtmlText.Figure(page, "lost caller audio", HtmlText.Ms(call.LostCallerAudioMs));
        if (call.TransferredTo is { } to)
        {
            HtmlText.Figure(page, "transferred to", to);
        }

        page.Append("</dl>\n");
        page.Append("<p>Chain: <code>").Append(HtmlText.E(string.Join(" \u2192 ", HtmlText.List(call.Chain)))).Append("</code>");
        if (call.Recording is { } recording)
        {
            page.Append(" &#183; recording: <code class=\"recording\">").Append(HtmlText.E(recording)).Append("</code>");
        }

        page.Append("</p>\n<p>Faults: ");
        var faults = HtmlText.List(call.Faults);
        page.Append(faults.Count == 0 ? "none" : string.Join(" ", faults.Select(f => "<code class=\"fault\">" + HtmlText.E(f) + "</code>")));
        page.Append("</p>\n");
        List(page, "failures", "Failures", HtmlText.List(call.Failures));
        List(page, "errors", "Errors", HtmlText.List(call.Errors));

        if (call.Status == CallStatus.BadInput)
        {
            page.Append("<p class=\"no-timeline\">No timeline: the recording could not be used (see the errors).</p>\n</section>\n");
            return;
        }

        page.Append("<h3>Timeline</h3>\n<div class=\"timeline\">\n");
        TimelineSvg.Append(page, call, n);
        AppendLegend(page, call);
        var switches = HtmlText.List(call.Switches);
        for (var i = 0; i < switches.Count; i++)
        {
            SwitchDetailSvg.Append(page, call, n, switches[i], i + 1);
        }

        page.Append("</div>\n");
        AppendSwitches(page, switches);
        AppendTranscript(page, HtmlText.List(call.Turns));
        AppendToolCalls(page, HtmlText.List(call.ToolCalls));
        AppendShadow(page, call.Shadow);
        AppendRtp(page, call);
        page.Append("</section>\n");
    }

    private static string StatusName(CallStatus status) => status switch
    {
        CallStatus.Passed => "passed",
        CallStatus.Failed => "failed",
        CallStatus.BadInput => "bad-input",
        _ => "internal-error",
    };

    private static void List(StringBuilder page, string kind, string title, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        page.Append($"<h3>{title}</h3>\n<ul class=\"{kind}\">\n");
        foreach (var item in items)
        {
            page.Append("<li>").Append(HtmlText.E(item)).Append("</li>\n");
        }

        page.Append("</ul>\n");
    }

    private static void AppendLegend(StringBuilder page, ReplayCallReport call)
    {
        page.Append("<p class=\"legend\"><span><i style=\"background:#1e88e5\"></i>caller</span><span><i style=\"background:#43a047\"></i>agent</span>")
            .Append("<span><i style=\"background:#a5d6a7;outline:1.5px solid #c62828\"></i>agent, cut</span><span><i style=\"background:#8e24aa\"></i>keys</span>");
        var spans = TimelineSvg.EngineSpans(call, TimelineSvg.EndOf(call));
        var engines = TimelineSvg.EngineOrder(spans);
        for (var i = 0; i < engines.Count; i++)
        {
            page.Append($"<span><i style=\"background:{TimelineSvg.EngineColours[i % TimelineSvg.EngineColours.Length]}\"></i>{HtmlText.E(engines[i])}</span>");
        }

        page.Append("<span><i style=\"background:#d32f2f;height:3px\"></i>fault</span><span><i style=\"background:#f57c00;height:3px\"></i>detection</span>")
            .Append("<span><i style=\"background:#2e7d32;height:3px\"></i>first fallback audio</span></p>\n");
    }

    /// <summary>Every switch's FAILOVER.md figures, a column per switch, numbered as on the timeline.</summary>
    private static void AppendSwitches(StringBuilder page, IReadOnlyList<SwitchReport> switches)
    {
        if (switches.Count == 0)
        {
            page.Append("<p class=\"no-switches\">No engine switch in this call.</p>\n");
            return;
        }

        page.Append("<h3>Switches</h3>\n<table class=\"switches\">\n<tr><th>figure</th>");
        for (var n = 1; n <= switches.Count; n++)
        {
            page.Append($"<th>#{n}</th>");
        }

        page.Append("</tr>\n");
        Row(page, "from \u2192 to", switches, sw => $"{sw.From} \u2192 {sw.To}");
        Row(page, "reason", switches, sw => sw.Reason);
        Row(page, "evidence", switches, sw => sw.Evidence);
        Row(page, "faultAtMs", switches, sw => HtmlText.Ms(sw.FaultAtMs));
        Row(page, "detectedAtMs", switches, sw => HtmlText.Ms(sw.DetectedAtMs));
        Row(page, "detection (detectedAtMs - faultAtMs)", switches, sw => HtmlText.Ms(ReplaySummary.DetectionMsOf(sw)));
        Row(page, "callerSpeechEndMs", switches, sw => HtmlText.Ms(sw.CallerSpeechEndMs));
        Row(page, "continuesReply", switches, sw => sw.ContinuesReply ? "yes" : "no");
        Row(page, "firstFallbackAudioAtMs", switches, sw => HtmlText.Ms(sw.FirstFallbackAudioAtMs));
        Row(page, "handoffMs", switches, sw => HtmlText.Ms(sw.HandoffMs));
        Row(page, "deadAirMs", switches, sw => HtmlText.Ms(sw.DeadAirMs));
        Row(page, "lostCallerAudioMs", switches, sw => HtmlText.Ms(sw.LostCallerAudioMs));
        Row(page, "replayedCallerAudioMs", switches, sw => HtmlText.Ms(sw.ReplayedCallerAudioMs));
        Row(page, "seededTurns", switches, sw => HtmlText.Count(sw.SeededTurns));
        Row(page, "repeatedAgentWords", switches, sw => HtmlText.Count(sw.RepeatedAgentWords));
        Row(page, "duplicateAgentAudioMs", switches, sw => HtmlText.Ms(sw.DuplicateAgentAudioMs));
        Row(page, "outboundDiscontinuities", switches, sw => HtmlText.Count(sw.OutboundDiscontinuities));
        Row(page, "historyTurnsCarried", switches, sw => HtmlText.Count(sw.HistoryTurnsCarried));
        page.Append("</table>\n");
    }

    private static void Row(StringBuilder page, string name, IReadOnlyList<SwitchReport> switches, Func<SwitchReport, string> value)
    {
        page.Append($"<tr data-figure=\"{HtmlText.E(name)}\"><th>{HtmlText.E(name)}</th>");
        foreach (var sw in switches)
        {
            page.Append("<td>").Append(HtmlText.E(value(sw))).Append("</td>");
        }

        page.Append("</tr>\n");
    }
}
