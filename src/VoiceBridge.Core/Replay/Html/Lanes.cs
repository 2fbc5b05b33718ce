using System.Text;

namespace VoiceBridge.Replay.Html;

/// <summary>
/// The lanes both timelines draw on a <see cref="TimeScale"/>: caller speech, agent speech, the
/// engine answering; the time axis above them and a switch's markers across them. What lies off
/// the scale is left out; what crosses its edge is cut at the edge.
/// </summary>
internal static class Lanes
{
    public const double AxisY = 22;
    public const double Height = 22;
    private const double Gap = 6;
    private const double FirstY = 30;

    private static readonly (string Key, string Label)[] All = [("caller", "caller speech"), ("agent", "agent speech"), ("engine", "engine")];

    public static double Y(int lane) => FirstY + lane * (Height + Gap);

    /// <summary>The bottom of the last lane, where markers end.</summary>
    public static double Bottom => Y(All.Length) - Gap + 4;

    public static void AppendAxis(StringBuilder page, TimeScale scale, long stepMs)
    {
        page.Append("<g class=\"axis\">");
        for (var t = (scale.StartMs + stepMs - 1) / stepMs * stepMs; t <= scale.EndMs; t += stepMs)
        {
            var x = scale.X(t);
            var label = stepMs >= 1000 ? $"{t / 1000} s" : $"{t / 1000.0:0.##} s";
            page.Append($"<line class=\"grid\" x1=\"{HtmlText.N(x)}\" y1=\"{HtmlText.N(AxisY)}\" x2=\"{HtmlText.N(x)}\" y2=\"{HtmlText.N(Bottom)}\"/>")
                .Append($"<text x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(AxisY - 6)}\" text-anchor=\"middle\">{label}</text>");
        }

        page.Append("</g>\n");
    }

    /// <summary>The three lanes, each a <c>g[data-lane]</c> with its background, label and spans.</summary>
    public static void Append(StringBuilder page, ReplayCallReport call, TimeScale scale, IReadOnlyList<EngineSpan> engines)
    {
        for (var i = 0; i < All.Length; i++)
        {
            page.Append($"<g class=\"lane\" data-lane=\"{All[i].Key}\"><rect class=\"lane-bg\" x=\"{HtmlText.N(scale.Left)}\" y=\"{HtmlText.N(Y(i))}\" width=\"{HtmlText.N(scale.Width)}\" height=\"{HtmlText.N(Height)}\"/>")
                .Append($"<text x=\"{HtmlText.N(scale.Left - 8)}\" y=\"{HtmlText.N(Y(i) + 15)}\" text-anchor=\"end\">{All[i].Label}</text>\n");
            if (i < 2)
            {
                AppendTurns(page, call, i == 0 ? "user" : "assistant", scale, Y(i));
            }
            else
            {
                AppendEngines(page, engines, scale, Y(i));
            }

            page.Append("</g>\n");
        }
    }

    /// <summary>A line across the lanes for the switch's fault, detection and first fallback audio, each that is known.</summary>
    public static void AppendMarkers(StringBuilder page, SwitchReport sw, int n, TimeScale scale)
    {
        if (sw.FaultAtMs is { } fault)
        {
            Marker(page, "fault", n, fault, scale, $"switch {n}: fault at {fault} ms");
        }

        Marker(page, "detection", n, sw.DetectedAtMs, scale, $"switch {n}: detected at {sw.DetectedAtMs} ms ({sw.Reason})");
        if (sw.FirstFallbackAudioAtMs is { } first)
        {
            Marker(page, "first-audio", n, first, scale, $"switch {n}: first audio from {sw.To} at {first} ms");
        }
    }

    private static void Marker(StringBuilder page, string kind, int n, long ms, TimeScale scale, string title)
    {
        var x = scale.X(ms);
        page.Append($"<line class=\"marker {kind}\" data-switch=\"{n}\" data-ms=\"{ms}\" x1=\"{HtmlText.N(x)}\" y1=\"{HtmlText.N(Y(0) - 4)}\" x2=\"{HtmlText.N(x)}\" y2=\"{HtmlText.N(Bottom)}\"><title>{HtmlText.E(title)}</title></line>\n");
    }

    private static void AppendTurns(StringBuilder page, ReplayCallReport call, string role, TimeScale scale, double y)
    {
        foreach (var t in HtmlText.List(call.Turns))
        {
            // An agent turn that never reached the caller (a tool call, a reply cut before its
            // first frame) has no span to draw; a key press is an instant, drawn 2 px wide.
            if (!string.Equals(t.Role, role, StringComparison.Ordinal) || (t.EndMs <= t.StartMs && t.Dtmf is null) || !scale.Shows(t.StartMs, t.EndMs))
            {
                continue;
            }

            var kind = t.Dtmf is not null ? " dtmf" : t.Interrupted ? " cut" : "";
            var x = scale.X(t.StartMs);
            var width = Math.Max(2, scale.X(t.EndMs) - x);
            var what = t.Dtmf is not null ? "keys " + t.Dtmf : t.Text;
            page.Append($"<rect class=\"speech {(role == "user" ? "caller" : "agent")}{kind}\" data-start-ms=\"{t.StartMs}\" data-end-ms=\"{t.EndMs}\" x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(y + 2)}\" width=\"{HtmlText.N(width)}\" height=\"{HtmlText.N(Height - 4)}\">")
                .Append($"<title>{t.StartMs}-{t.EndMs} ms, {HtmlText.E(t.Engine)}{(t.Interrupted ? ", cut" : "")}: {HtmlText.E(what)}</title></rect>\n");
        }
    }

    private static void AppendEngines(StringBuilder page, IReadOnlyList<EngineSpan> spans, TimeScale scale, double y)
    {
        var order = TimelineSvg.EngineOrder(spans);
        foreach (var span in spans.Where(s => scale.Shows(s.StartMs, s.EndMs)))
        {
            var x = scale.X(span.StartMs);
            var width = Math.Max(1, scale.X(span.EndMs) - x);
            page.Append($"<rect class=\"engine{(span.Handoff ? " handoff" : "")}\" data-engine=\"{HtmlText.E(span.Engine)}\" data-start-ms=\"{span.StartMs}\" data-end-ms=\"{span.EndMs}\" fill=\"{TimelineSvg.Colour(order, span.Engine)}\" x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(y + 2)}\" width=\"{HtmlText.N(width)}\" height=\"{HtmlText.N(Height - 4)}\">")
                .Append($"<title>{HtmlText.E(span.Engine)}{(span.Handoff ? " (handoff: brought up, not yet heard)" : "")}, {span.StartMs}-{span.EndMs} ms</title></rect>");
            if (!span.Handoff && width > 7 * span.Engine.Length)
            {
                page.Append($"<text class=\"engine-name\" x=\"{HtmlText.N(x + 4)}\" y=\"{HtmlText.N(y + 15)}\">{HtmlText.E(span.Engine)}</text>");
            }

            page.Append('\n');
        }
    }
}
