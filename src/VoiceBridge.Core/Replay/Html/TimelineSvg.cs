using System.Text;

namespace VoiceBridge.Replay.Html;

/// <summary>
/// A call's timeline (x = ms from call start, the report's one clock): a lane of the caller's
/// speech (user turns, keys in their own colour), a lane of the agent's (assistant turns, cut ones
/// outlined in red), a lane of the engine answering (from the switches: the old engine up to the
/// detection, the handoff shaded until the new engine's first audio), and per switch a marker
/// each for the fault, the detection and the first fallback audio across every lane, with the
/// switch's number and handoff printed under it. Each drawn item carries its milliseconds in a
/// <c>data-ms</c> (or <c>data-start-ms</c>/<c>data-end-ms</c>) attribute, so tests and readers
/// need not invert the scale.
/// </summary>
internal static class TimelineSvg
{
    public const double Width = 1100;
    public const double Left = 130;
    public const double PlotWidth = Width - Left - 20;
    private const double AxisY = 22;
    private const double LaneHeight = 22;
    private const double LaneGap = 6;
    private const double FirstLaneY = 30;
    private const double LabelRowHeight = 14;
    private const int LabelRows = 3;

    /// <summary>Fill colours of the engines, in order of appearance in the call.</summary>
    internal static readonly string[] EngineColours = ["#5c6bc0", "#26a69a", "#ffa726", "#8d6e63", "#ec407a", "#78909c"];

    private static readonly (string Key, string Label)[] Lanes = [("caller", "caller speech"), ("agent", "agent speech"), ("engine", "engine")];

    /// <summary>The end of a call on its timeline: its duration, or later if something happened later.</summary>
    public static long EndOf(ReplayCallReport call) =>
        HtmlText.List(call.Turns).Select(t => t.EndMs)
            .Concat(HtmlText.List(call.Switches).SelectMany(sw => new[] { sw.FaultAtMs ?? 0, sw.DetectedAtMs, sw.FirstFallbackAudioAtMs ?? 0 }))
            .Append(call.DurationMs)
            .Max();

    /// <summary>The axis of a call: long enough for everything in it, at least a second.</summary>
    public static Axis AxisOf(ReplayCallReport call) => Axis.For(Math.Max(1000, EndOf(call)));

    /// <summary>Where <paramref name="ms"/> falls on the call's plot.</summary>
    public static double X(long ms, Axis axis) => Left + axis.Scale(ms, PlotWidth);

    public static double LaneY(int lane) => FirstLaneY + lane * (LaneHeight + LaneGap);

    public static void Append(StringBuilder page, ReplayCallReport call, int callNumber)
    {
        var axis = AxisOf(call);
        var switches = HtmlText.List(call.Switches);
        var markersBottom = LaneY(Lanes.Length) - LaneGap + 4;
        var height = markersBottom + 8 + (Math.Min(switches.Count, LabelRows) * LabelRowHeight) + 6;
        page.Append($"<svg class=\"timeline-svg\" id=\"timeline-{callNumber}\" width=\"{HtmlText.N(Width)}\" height=\"{HtmlText.N(height)}\" viewBox=\"0 0 {HtmlText.N(Width)} {HtmlText.N(height)}\" role=\"img\" aria-label=\"timeline of call {callNumber}\">\n");
        AppendAxis(page, axis, markersBottom);
        for (var i = 0; i < Lanes.Length; i++)
        {
            page.Append($"<g class=\"lane\" data-lane=\"{Lanes[i].Key}\"><rect class=\"lane-bg\" x=\"{HtmlText.N(Left)}\" y=\"{HtmlText.N(LaneY(i))}\" width=\"{HtmlText.N(PlotWidth)}\" height=\"{HtmlText.N(LaneHeight)}\"/>")
                .Append($"<text x=\"{HtmlText.N(Left - 8)}\" y=\"{HtmlText.N(LaneY(i) + 15)}\" text-anchor=\"end\">{Lanes[i].Label}</text>\n");
            switch (i)
            {
                case 0:
                    AppendTurns(page, call, "user", axis, LaneY(i));
                    break;
                case 1:
                    AppendTurns(page, call, "assistant", axis, LaneY(i));
                    break;
                default:
                    AppendEngines(page, EngineSpans(call, Math.Min(EndOf(call), axis.MaxMs)), axis, LaneY(i));
                    break;
            }

            page.Append("</g>\n");
        }

        for (var n = 0; n < switches.Count; n++)
        {
            AppendSwitch(page, switches[n], n + 1, axis, markersBottom);
        }

        page.Append("</svg>\n");
    }

    private static void AppendAxis(StringBuilder page, Axis axis, double bottom)
    {
        page.Append("<g class=\"axis\">");
        for (var t = 0L; t <= axis.MaxMs; t += axis.StepMs)
        {
            var x = X(t, axis);
            var label = axis.StepMs >= 1000 ? $"{t / 1000} s" : $"{t / 1000.0:0.##} s";
            page.Append($"<line class=\"grid\" x1=\"{HtmlText.N(x)}\" y1=\"{HtmlText.N(AxisY)}\" x2=\"{HtmlText.N(x)}\" y2=\"{HtmlText.N(bottom)}\"/>")
                .Append($"<text x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(AxisY - 6)}\" text-anchor=\"middle\">{label}</text>");
        }

        page.Append("</g>\n");
    }

    private static void AppendTurns(StringBuilder page, ReplayCallReport call, string role, Axis axis, double y)
    {
        foreach (var t in HtmlText.List(call.Turns))
        {
            // An agent turn that never reached the caller (a tool call, a reply cut before its
            // first frame) has no span to draw; a key press is an instant, drawn 2 px wide.
            if (!string.Equals(t.Role, role, StringComparison.Ordinal) || (t.EndMs <= t.StartMs && t.Dtmf is null))
            {
                continue;
            }

            var kind = t.Dtmf is not null ? " dtmf" : t.Interrupted ? " cut" : "";
            var x = X(t.StartMs, axis);
            var width = Math.Max(2, X(t.EndMs, axis) - x);
            var what = t.Dtmf is not null ? "keys " + t.Dtmf : t.Text;
            page.Append($"<rect class=\"speech {(role == "user" ? "caller" : "agent")}{kind}\" data-start-ms=\"{t.StartMs}\" data-end-ms=\"{t.EndMs}\" x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(y + 2)}\" width=\"{HtmlText.N(width)}\" height=\"{HtmlText.N(LaneHeight - 4)}\">")
                .Append($"<title>{t.StartMs}-{t.EndMs} ms, {HtmlText.E(t.Engine)}{(t.Interrupted ? ", cut" : "")}: {HtmlText.E(what)}</title></rect>\n");
        }
    }

    private static void AppendEngines(StringBuilder page, IReadOnlyList<EngineSpan> spans, Axis axis, double y)
    {
        var order = EngineOrder(spans);
        foreach (var span in spans)
        {
            var x = X(span.StartMs, axis);
            var width = Math.Max(1, X(span.EndMs, axis) - x);
            var colour = EngineColours[order.IndexOf(span.Engine) % EngineColours.Length];
            page.Append($"<rect class=\"engine{(span.Handoff ? " handoff" : "")}\" data-engine=\"{HtmlText.E(span.Engine)}\" data-start-ms=\"{span.StartMs}\" data-end-ms=\"{span.EndMs}\" fill=\"{colour}\" x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(y + 2)}\" width=\"{HtmlText.N(width)}\" height=\"{HtmlText.N(LaneHeight - 4)}\">")
                .Append($"<title>{HtmlText.E(span.Engine)}{(span.Handoff ? " (handoff: seeding, not yet heard)" : "")}, {span.StartMs}-{span.EndMs} ms</title></rect>");
            if (!span.Handoff && width > 8 * span.Engine.Length)
            {
                page.Append($"<text class=\"engine-name\" x=\"{HtmlText.N(x + 4)}\" y=\"{HtmlText.N(y + 15)}\">{HtmlText.E(span.Engine)}</text>");
            }

            page.Append('\n');
        }
    }

    private static void AppendSwitch(StringBuilder page, SwitchReport sw, int n, Axis axis, double bottom)
    {
        var top = LaneY(0) - 4;
        if (sw.FaultAtMs is { } fault)
        {
            Marker(page, "fault", n, fault, axis, top, bottom, $"switch {n}: fault at {fault} ms");
        }

        Marker(page, "detection", n, sw.DetectedAtMs, axis, top, bottom, $"switch {n}: detected at {sw.DetectedAtMs} ms ({sw.Reason})");
        if (sw.FirstFallbackAudioAtMs is { } first)
        {
            Marker(page, "first-audio", n, first, axis, top, bottom, $"switch {n}: first audio from {sw.To} at {first} ms");
        }

        var labelY = bottom + 8 + (((n - 1) % LabelRows) + 1) * LabelRowHeight - 3;
        var x = X(sw.DetectedAtMs, axis);
        var anchor = x > Left + PlotWidth - 260 ? "end" : "start";
        page.Append($"<text class=\"switch-label\" data-switch=\"{n}\" x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(labelY)}\" text-anchor=\"{anchor}\">")
            .Append($"#{n} {HtmlText.E(sw.From)} \u2192 {HtmlText.E(sw.To)}: handoff {HtmlText.Ms(sw.HandoffMs)}, dead air {HtmlText.Ms(sw.DeadAirMs)}")
            .Append($"<title>{HtmlText.E(Figures(sw))}</title></text>\n");
    }

    private static void Marker(StringBuilder page, string kind, int n, long ms, Axis axis, double top, double bottom, string title)
    {
        var x = X(ms, axis);
        page.Append($"<line class=\"marker {kind}\" data-switch=\"{n}\" data-ms=\"{ms}\" x1=\"{HtmlText.N(x)}\" y1=\"{HtmlText.N(top)}\" x2=\"{HtmlText.N(x)}\" y2=\"{HtmlText.N(bottom)}\"><title>{HtmlText.E(title)}</title></line>\n");
    }

    /// <summary>Every FAILOVER.md figure of a switch on one line (the label's tooltip).</summary>
    internal static string Figures(SwitchReport sw) =>
        $"handoffMs {HtmlText.Ms(sw.HandoffMs)}, deadAirMs {HtmlText.Ms(sw.DeadAirMs)}, lostCallerAudioMs {sw.LostCallerAudioMs}, replayedCallerAudioMs {sw.ReplayedCallerAudioMs}, "
        + $"seededTurns {sw.SeededTurns}, repeatedAgentWords {sw.RepeatedAgentWords}, duplicateAgentAudioMs {sw.DuplicateAgentAudioMs}, "
        + $"outboundDiscontinuities {sw.OutboundDiscontinuities}, historyTurnsCarried {sw.HistoryTurnsCarried}";

    /// <summary>The engines in the order they first answered, for their colours.</summary>
    internal static List<string> EngineOrder(IReadOnlyList<EngineSpan> spans) => spans.Select(s => s.Engine).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Which engine was the call's from start to <paramref name="endMs"/>: the first switch's old
    /// engine (else the first turn's, else the chain's first) until that switch was detected, the
    /// new one from there, its handoff (detected to first fallback audio) marked as such.
    /// </summary>
    internal static IReadOnlyList<EngineSpan> EngineSpans(ReplayCallReport call, long endMs)
    {
        var switches = HtmlText.List(call.Switches).OrderBy(sw => sw.DetectedAtMs).ToList();
        var current = switches.Count > 0 ? switches[0].From
            : HtmlText.List(call.Turns).Select(t => t.Engine).FirstOrDefault(e => !string.IsNullOrEmpty(e)) ?? HtmlText.List(call.Chain).FirstOrDefault();
        if (current is null)
        {
            return [];
        }

        var spans = new List<EngineSpan>();
        var start = 0L;
        for (var i = 0; i < switches.Count; i++)
        {
            var sw = switches[i];
            var detected = Math.Clamp(sw.DetectedAtMs, start, endMs);
            spans.Add(new EngineSpan(current, start, detected, Handoff: false));
            var next = i + 1 < switches.Count ? Math.Clamp(switches[i + 1].DetectedAtMs, detected, endMs) : endMs;
            var heard = Math.Clamp(sw.FirstFallbackAudioAtMs ?? next, detected, next);
            spans.Add(new EngineSpan(sw.To, detected, heard, Handoff: true));
            (current, start) = (sw.To, heard);
        }

        spans.Add(new EngineSpan(current, start, endMs, Handoff: false));
        return spans.Where(s => s.EndMs > s.StartMs).ToList();
    }
}

/// <summary>An engine answering for the call over [StartMs, EndMs); <see cref="Handoff"/>: brought up, not yet heard.</summary>
internal sealed record EngineSpan(string Engine, long StartMs, long EndMs, bool Handoff);
