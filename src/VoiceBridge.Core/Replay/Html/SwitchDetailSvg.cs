using System.Text;

namespace VoiceBridge.Replay.Html;

/// <summary>
/// One switch close up: the call's lanes over the seconds around it (from a second before the
/// fault or the caller's last words, to a second and a half after the new engine's first audio),
/// the fault, detection and first-audio markers labelled with their times, the handoff drawn as
/// the span FAILOVER.md measures (from the later of detection and the caller's end of speech to
/// the first fallback audio), and every FAILOVER.md figure of the switch printed beside it. On
/// the whole call's timeline a handoff of a few hundred ms is a few pixels; here it is readable.
/// </summary>
internal static class SwitchDetailSvg
{
    private const double Width = TimelineSvg.Width;
    private const double Left = TimelineSvg.Left;
    private const double PlotWidth = 600;
    private const double FiguresX = Left + PlotWidth + 30;
    private const double RowHeight = 14;

    public static void Append(StringBuilder page, ReplayCallReport call, int callNumber, SwitchReport sw, int n)
    {
        var scale = ScaleOf(sw);
        var figures = FigureLines(sw);
        var labelsTop = Lanes.Bottom + 4;
        var bracketY = labelsTop + (4 * RowHeight);
        var height = Math.Max(bracketY + 24, 20 + (figures.Count * RowHeight) + 6);
        page.Append($"<svg class=\"switch-detail\" id=\"switch-{callNumber}-{n}\" data-switch=\"{n}\" width=\"{HtmlText.N(Width)}\" height=\"{HtmlText.N(height)}\" viewBox=\"0 0 {HtmlText.N(Width)} {HtmlText.N(height)}\" role=\"img\" aria-label=\"switch {n} of call {callNumber}, close up\">\n");
        Lanes.AppendAxis(page, scale, Axis.For(scale.EndMs - scale.StartMs).StepMs);
        Lanes.Append(page, call, scale, TimelineSvg.EngineSpans(call, TimelineSvg.EndOf(call)));
        Lanes.AppendMarkers(page, sw, n, scale);

        var row = 1;
        if (sw.FaultAtMs is { } fault)
        {
            Label(page, "fault", scale, fault, labelsTop + (row++ * RowHeight), $"fault {fault} ms");
        }

        Label(page, "detection", scale, sw.DetectedAtMs, labelsTop + (row++ * RowHeight), $"detected {sw.DetectedAtMs} ms ({sw.Reason})");
        if (sw.FirstFallbackAudioAtMs is { } first)
        {
            Label(page, "first-audio", scale, first, labelsTop + (row * RowHeight), $"first audio from {sw.To} {first} ms");
            var from = Math.Max(sw.DetectedAtMs, sw.CallerSpeechEndMs ?? sw.DetectedAtMs);
            var (x1, x2) = (scale.X(from), scale.X(first));
            page.Append($"<g class=\"handoff-span\" data-start-ms=\"{from}\" data-end-ms=\"{first}\"><line x1=\"{HtmlText.N(x1)}\" y1=\"{HtmlText.N(bracketY)}\" x2=\"{HtmlText.N(x2)}\" y2=\"{HtmlText.N(bracketY)}\"/>")
                .Append($"<line x1=\"{HtmlText.N(x1)}\" y1=\"{HtmlText.N(bracketY - 4)}\" x2=\"{HtmlText.N(x1)}\" y2=\"{HtmlText.N(bracketY + 4)}\"/><line x1=\"{HtmlText.N(x2)}\" y1=\"{HtmlText.N(bracketY - 4)}\" x2=\"{HtmlText.N(x2)}\" y2=\"{HtmlText.N(bracketY + 4)}\"/>")
                .Append($"<text x=\"{HtmlText.N(x2 + 6)}\" y=\"{HtmlText.N(bracketY + 4)}\">handoffMs {HtmlText.E(HtmlText.Ms(sw.HandoffMs))}</text></g>\n");
        }

        page.Append($"<g class=\"switch-figures\" data-switch=\"{n}\">");
        for (var i = 0; i < figures.Count; i++)
        {
            var (name, value) = figures[i];
            page.Append($"<text x=\"{HtmlText.N(FiguresX)}\" y=\"{HtmlText.N(20 + (i * RowHeight))}\" data-figure=\"{HtmlText.E(name)}\"><tspan class=\"figure-name\">{HtmlText.E(name)}</tspan> <tspan class=\"figure-value\">{HtmlText.E(value)}</tspan></text>\n");
        }

        page.Append("</g>\n</svg>\n");
    }

    /// <summary>The seconds around a switch, on round ticks.</summary>
    internal static TimeScale ScaleOf(SwitchReport sw)
    {
        var from = Math.Min(Math.Min(sw.FaultAtMs ?? sw.DetectedAtMs, sw.DetectedAtMs), sw.CallerSpeechEndMs ?? sw.DetectedAtMs) - 1000;
        var to = Math.Max(sw.DetectedAtMs, sw.FirstFallbackAudioAtMs ?? sw.DetectedAtMs) + 1500;
        var step = Axis.For(to - from).StepMs;
        var start = Math.Max(0, from) / step * step;
        return new TimeScale(start, Math.Max(start + step, (to + step - 1) / step * step), Left, PlotWidth);
    }

    /// <summary>The switch's figures as printed beside it: FAILOVER.md's names, the report's values.</summary>
    internal static List<(string Name, string Value)> FigureLines(SwitchReport sw) =>
    [
        ("switch", $"{sw.From} \u2192 {sw.To}"),
        ("reason", sw.Reason),
        ("detection", HtmlText.Ms(ReplaySummary.DetectionMsOf(sw))),
        ("handoffMs", HtmlText.Ms(sw.HandoffMs)),
        ("deadAirMs", HtmlText.Ms(sw.DeadAirMs)),
        ("lostCallerAudioMs", HtmlText.Ms(sw.LostCallerAudioMs)),
        ("replayedCallerAudioMs", HtmlText.Ms(sw.ReplayedCallerAudioMs)),
        ("seededTurns", HtmlText.Count(sw.SeededTurns)),
        ("repeatedAgentWords", HtmlText.Count(sw.RepeatedAgentWords)),
        ("duplicateAgentAudioMs", HtmlText.Ms(sw.DuplicateAgentAudioMs)),
        ("outboundDiscontinuities", HtmlText.Count(sw.OutboundDiscontinuities)),
        ("historyTurnsCarried", HtmlText.Count(sw.HistoryTurnsCarried)),
    ];

    private static void Label(StringBuilder page, string kind, TimeScale scale, long ms, double y, string text)
    {
        var x = scale.X(ms);
        var anchor = x > scale.Left + scale.Width - 220 ? "end" : "start";
        page.Append($"<text class=\"marker-label {kind}\" x=\"{HtmlText.N(anchor == "end" ? x - 3 : x + 3)}\" y=\"{HtmlText.N(y)}\" text-anchor=\"{anchor}\">{HtmlText.E(text)}</text>\n");
    }
}
