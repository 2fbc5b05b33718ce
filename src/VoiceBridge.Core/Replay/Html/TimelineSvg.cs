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
/// need not invert the scale. <see cref="SwitchDetailSvg"/> draws the same lanes close up.
/// </summary>
internal static class TimelineSvg
{
    public const double Width = 1100;
    public const double Left = 130;
    public const double PlotWidth = Width - Left - 20;
    private const double LabelRowHeight = 14;
    private const int LabelRows = 3;

    /// <summary>Fill colours of the engines, in order of appearance in the call.</summary>
    internal static readonly string[] EngineColours = ["#5c6bc0", "#26a69a", "#ffa726", "#8d6e63", "#ec407a", "#78909c"];

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

    public static void Append(StringBuilder page, ReplayCallReport call, int callNumber)
    {
        var axis = AxisOf(call);
        var scale = new TimeScale(0, axis.MaxMs, Left, PlotWidth);
        var switches = HtmlText.List(call.Switches);
        var bottom = Lanes.Bottom;
        var height = bottom + 8 + (Math.Min(switches.Count, LabelRows) * LabelRowHeight) + 6;
        page.Append($"<svg class=\"timeline-svg\" id=\"timeline-{callNumber}\" width=\"{HtmlText.N(Width)}\" height=\"{HtmlText.N(height)}\" viewBox=\"0 0 {HtmlText.N(Width)} {HtmlText.N(height)}\" role=\"img\" aria-label=\"timeline of call {callNumber}\">\n");
        Lanes.AppendAxis(page, scale, axis.StepMs);
        Lanes.Append(page, call, scale, EngineSpans(call, Math.Min(EndOf(call), axis.MaxMs)));
        for (var n = 0; n < switches.Count; n++)
        {
            var sw = switches[n];
            Lanes.AppendMarkers(page, sw, n + 1, scale);
            var labelY = bottom + 8 + ((n % LabelRows) + 1) * LabelRowHeight - 3;
            var x = scale.X(sw.DetectedAtMs);
            var anchor = x > Left + PlotWidth - 260 ? "end" : "start";
            page.Append($"<text class=\"switch-label\" data-switch=\"{n + 1}\" x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(labelY)}\" text-anchor=\"{anchor}\">")
                .Append($"#{n + 1} {HtmlText.E(sw.From)} \u2192 {HtmlText.E(sw.To)}: handoff {HtmlText.Ms(sw.HandoffMs)}, dead air {HtmlText.Ms(sw.DeadAirMs)}")
                .Append($"<title>{HtmlText.E(Figures(sw))}</title></text>\n");
        }

        page.Append("</svg>\n");
    }

    /// <summary>Every FAILOVER.md figure of a switch on one line (the label's tooltip).</summary>
    internal static string Figures(SwitchReport sw) =>
        $"handoffMs {HtmlText.Ms(sw.HandoffMs)}, deadAirMs {HtmlText.Ms(sw.DeadAirMs)}, lostCallerAudioMs {sw.LostCallerAudioMs}, replayedCallerAudioMs {sw.ReplayedCallerAudioMs}, "
        + $"seededTurns {sw.SeededTurns}, repeatedAgentWords {sw.RepeatedAgentWords}, duplicateAgentAudioMs {sw.DuplicateAgentAudioMs}, "
        + $"outboundDiscontinuities {sw.OutboundDiscontinuities}, historyTurnsCarried {sw.HistoryTurnsCarried}";

    /// <summary>The engines in the order they first answered, for their colours.</summary>
    internal static List<string> EngineOrder(IReadOnlyList<EngineSpan> spans) => spans.Select(s => s.Engine).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>An engine's colour: by its place in <paramref name="order"/>.</summary>
    internal static string Colour(List<string> order, string engine) =>
        EngineColours[Math.Max(0, order.IndexOf(engine)) % EngineColours.Length];

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

/// <summary>A stretch of the call's clock [StartMs, EndMs] drawn over <see cref="Width"/> pixels from <see cref="Left"/>.</summary>
internal readonly record struct TimeScale(long StartMs, long EndMs, double Left, double Width)
{
    /// <summary>Where <paramref name="ms"/> falls (clamped to the stretch).</summary>
    public double X(long ms) => Left + ((Math.Clamp(ms, StartMs, EndMs) - StartMs) * Width / Math.Max(1, EndMs - StartMs));

    /// <summary>Whether any of [<paramref name="from"/>, <paramref name="to"/>] is on the stretch.</summary>
    public bool Shows(long from, long to) => to >= StartMs && from <= EndMs;
}
