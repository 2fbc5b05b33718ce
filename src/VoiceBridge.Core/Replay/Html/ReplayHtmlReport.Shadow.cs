using System.Globalization;
using System.Text;
using VoiceBridge.Call;

namespace VoiceBridge.Replay.Html;

/// <summary>
/// A call's shadow engine beside the active one (<c>calls[].shadow</c>, <c>--shadow ENGINE</c>):
/// the totals, then per caller turn what each side transcribed, how soon and how much it answered,
/// and the shadow's word error rate against the active transcript.
/// </summary>
public static partial class ReplayHtmlReport
{
    private static void AppendShadow(StringBuilder page, ShadowReport? shadow)
    {
        if (shadow is null)
        {
            return;
        }

        page.Append("<h3>Shadow: <code>").Append(HtmlText.E(shadow.Engine)).Append("</code></h3>\n<dl class=\"figures shadow\">\n");
        HtmlText.Figure(page, "compared turns", shadow.ComparedTurns);
        HtmlText.Figure(page, "mean word error rate", Rate(shadow.MeanWordErrorRate));
        HtmlText.Figure(page, "active first audio p50", HtmlText.Ms(shadow.ActiveFirstAudioLatencyP50Ms));
        HtmlText.Figure(page, "shadow first audio p50", HtmlText.Ms(shadow.ShadowFirstAudioLatencyP50Ms));
        HtmlText.Figure(page, "shadow unanswered turns", shadow.ShadowUnansweredTurns);
        HtmlText.Figure(page, "tool calls not run", shadow.ToolCallsNotRun);
        HtmlText.Figure(page, "missed caller audio", HtmlText.Ms(shadow.MissedCallerAudioMs));
        if (shadow.Failure is { } failure)
        {
            HtmlText.Figure(page, "shadow failed", $"{failure} (at {HtmlText.Ms(shadow.FailedAtMs)})");
        }

        page.Append("</dl>\n");
        var turns = HtmlText.List(shadow.Turns);
        if (turns.Count == 0)
        {
            return;
        }

        page.Append("<table class=\"shadow-turns\">\n<tr><th>turn</th><th>ms</th><th>side</th><th>engine</th><th>transcript</th><th>WER</th><th>first audio</th><th>answer</th></tr>\n");
        foreach (var t in turns)
        {
            Side(page, t, t.Active, "active", first: true);
            Side(page, t, t.Shadow, "shadow", first: false);
        }

        page.Append("</table>\n");
    }

    /// <summary>One side of a turn's comparison: two rows per turn, the turn's own cells spanning both.</summary>
    private static void Side(StringBuilder page, ShadowTurn turn, ShadowSide? side, string name, bool first)
    {
        page.Append($"<tr class=\"{name}\" data-turn=\"{turn.Index}\">");
        if (first)
        {
            page.Append($"<td rowspan=\"2\" class=\"num\">{turn.Index}</td><td rowspan=\"2\" class=\"num\">{turn.StartMs}-{turn.EndMs}</td>");
        }

        page.Append($"<td>{name}</td><td>{HtmlText.E(side?.Engine)}</td><td class=\"text\">{HtmlText.E(side?.Transcript ?? "-")}</td>");
        if (first)
        {
            page.Append($"<td rowspan=\"2\" class=\"num wer\">{Rate(turn.WordErrorRate)}</td>");
        }

        page.Append($"<td class=\"num\">{HtmlText.Ms(side?.FirstAudioLatencyMs)}</td>")
            .Append($"<td>{HtmlText.E(side?.ResponseText)} <span class=\"heard\">{side?.ResponseWords ?? 0} words, {HtmlText.Ms(side?.ResponseAudioMs ?? 0)}</span></td></tr>\n");
    }

    private static string Rate(double? rate) => rate is { } r ? r.ToString("0.###", CultureInfo.InvariantCulture) : "-";
}
