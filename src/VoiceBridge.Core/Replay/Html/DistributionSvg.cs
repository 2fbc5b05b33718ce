using System.Text;

namespace VoiceBridge.Replay.Html;

/// <summary>
/// A strip plot of one figure over every switch of the run: each value a dot on a millisecond
/// axis (small runs are the norm, where a histogram's bins would hide the values), with p50 and
/// p95 drawn across it. The goals are judged on those two, so they are printed too, by the same
/// nearest rank as the report's summary (<see cref="FigureDistribution"/>).
/// </summary>
internal static class DistributionSvg
{
    public const double Width = 560;
    public const double Left = 20;
    public const double PlotWidth = Width - Left - 30;
    private const double AxisY = 78;
    private const double Height = 100;

    /// <summary>A figure: the dots, the p50 and p95 lines, the axis; or a line saying there was nothing to plot.</summary>
    public static void Append(StringBuilder page, string name, string title, IReadOnlyList<long> values)
    {
        page.Append($"<figure class=\"distribution\" data-name=\"{HtmlText.E(name)}\" data-count=\"{values.Count}\">\n<figcaption>{HtmlText.E(title)}");
        if (values.Count == 0)
        {
            page.Append(": no values in this run</figcaption>\n</figure>\n");
            return;
        }

        var sorted = values.Order().ToList();
        var figure = FigureDistribution.Of(sorted)!;
        var (p50, p95) = (figure.P50, figure.P95);
        page.Append($": n {figure.Count}, p50 {p50} ms, p95 {p95} ms, max {figure.Max} ms</figcaption>\n");
        var axis = Axis.For(Math.Max(0, figure.Max));
        page.Append($"<svg width=\"{HtmlText.N(Width)}\" height=\"{HtmlText.N(Height)}\" viewBox=\"0 0 {HtmlText.N(Width)} {HtmlText.N(Height)}\" role=\"img\" aria-label=\"{HtmlText.E(title)}\">\n");
        page.Append($"<g class=\"axis\"><line x1=\"{HtmlText.N(Left)}\" y1=\"{HtmlText.N(AxisY)}\" x2=\"{HtmlText.N(Left + PlotWidth)}\" y2=\"{HtmlText.N(AxisY)}\"/>");
        for (var t = 0L; t <= axis.MaxMs; t += axis.StepMs)
        {
            var x = X(t, axis);
            page.Append($"<line x1=\"{HtmlText.N(x)}\" y1=\"{HtmlText.N(AxisY)}\" x2=\"{HtmlText.N(x)}\" y2=\"{HtmlText.N(AxisY + 4)}\"/>")
                .Append($"<text x=\"{HtmlText.N(x)}\" y=\"{HtmlText.N(AxisY + 16)}\" text-anchor=\"middle\">{t}</text>");
        }

        page.Append("</g>\n");
        for (var i = 0; i < sorted.Count; i++)
        {
            // Equal values stack a little apart so each switch stays visible.
            var y = AxisY - 12 - (i % 6 * 7);
            page.Append($"<circle class=\"dot\" data-ms=\"{sorted[i]}\" cx=\"{HtmlText.N(X(sorted[i], axis))}\" cy=\"{HtmlText.N(y)}\" r=\"4\"><title>{sorted[i]} ms</title></circle>");
        }

        page.Append('\n');
        Percentile(page, "p50", p50, axis, 12);
        Percentile(page, "p95", p95, axis, 24);
        page.Append("</svg>\n</figure>\n");
    }

    private static void Percentile(StringBuilder page, string name, long ms, Axis axis, double labelY)
    {
        var x = X(ms, axis);
        page.Append($"<line class=\"pct {name}\" data-ms=\"{ms}\" x1=\"{HtmlText.N(x)}\" y1=\"{HtmlText.N(labelY + 2)}\" x2=\"{HtmlText.N(x)}\" y2=\"{HtmlText.N(AxisY)}\"/>")
            .Append($"<text x=\"{HtmlText.N(x + 3)}\" y=\"{HtmlText.N(labelY)}\">{name} {ms} ms</text>\n");
    }

    /// <summary>Where <paramref name="ms"/> falls on the plot.</summary>
    public static double X(long ms, Axis axis) => Left + axis.Scale(ms, PlotWidth);
}

/// <summary>
/// A millisecond axis from 0 to a round maximum, ticked at a round step (at most about 12 ticks).
/// A day is the longest axis drawn: a corrupt figure cannot make the page draw without end.
/// </summary>
internal readonly record struct Axis(long MaxMs, long StepMs)
{
    public const long LongestMs = 24 * 3_600_000L;

    private static readonly long[] Steps = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000];

    public static Axis For(long maxMs)
    {
        var span = Math.Clamp(maxMs, 0, LongestMs);
        var step = Steps.FirstOrDefault(s => span / s < 12, Steps[^1]);
        return new Axis(Math.Max(1, (span + step - 1) / step) * step, step);
    }

    /// <summary>Where <paramref name="ms"/> falls along <paramref name="width"/> pixels (clamped to the axis).</summary>
    public double Scale(long ms, double width) => Math.Clamp(ms, 0, MaxMs) * width / MaxMs;
}
