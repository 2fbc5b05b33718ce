using System.Text;

namespace VoiceBridge.Replay.Html;

/// <summary>One call's transcript, tool calls and, on RTP legs, media figures.</summary>
public static partial class ReplayHtmlReport
{
    /// <summary>
    /// The conversation in order: who, which engine, when, the words (and what the caller heard
    /// when it differs: a cut reply), the first-audio latency, the keys pressed.
    /// </summary>
    private static void AppendTranscript(StringBuilder page, IReadOnlyList<TurnReport> turns)
    {
        page.Append("<h3>Transcript</h3>\n");
        if (turns.Count == 0)
        {
            page.Append("<p>No turns.</p>\n");
            return;
        }

        page.Append("<table class=\"transcript\">\n<tr><th>#</th><th>role</th><th>engine</th><th>ms</th><th>text</th><th>first audio</th><th>keys</th></tr>\n");
        for (var i = 0; i < turns.Count; i++)
        {
            var t = turns[i];
            var role = t.Role == "user" ? "user" : "assistant";
            page.Append($"<tr class=\"{role}\"><td class=\"num\">{i + 1}</td><td class=\"role\">{HtmlText.E(t.Role)}</td><td>{HtmlText.E(t.Engine)}</td>")
                .Append($"<td class=\"num\">{t.StartMs}-{t.EndMs}</td><td class=\"text\">")
                .Append(HtmlText.E(t.Text));
            if (t.Interrupted)
            {
                page.Append(" <span class=\"cut\">[cut]</span>");
            }

            if (t.HeardText is { } heard && !string.Equals(heard, t.Text, StringComparison.Ordinal))
            {
                page.Append("<span class=\"heard\">heard: ").Append(HtmlText.E(heard)).Append("</span>");
            }

            page.Append($"</td><td class=\"num\">{HtmlText.E(HtmlText.Ms(t.FirstAudioLatencyMs))}</td><td>{HtmlText.E(t.Dtmf)}</td></tr>\n");
        }

        page.Append("</table>\n");
    }

    private static void AppendToolCalls(StringBuilder page, IReadOnlyList<ToolCallReport> calls)
    {
        if (calls.Count == 0)
        {
            return;
        }

        page.Append("<h3>Tool calls</h3>\n<table class=\"tools\">\n<tr><th>at</th><th>name</th><th>engine</th><th>arguments</th><th>output</th></tr>\n");
        foreach (var c in calls)
        {
            page.Append($"<tr><td class=\"num\">{c.AtMs} ms</td><td>{HtmlText.E(c.Name)}</td><td>{HtmlText.E(c.Engine)}</td>")
                .Append($"<td><code>{HtmlText.E(c.Arguments)}</code></td><td><code>{HtmlText.E(c.Output)}</code></td></tr>\n");
        }

        page.Append("</table>\n");
    }

    /// <summary>A SIP (or WebRTC) call: the bridge's own RTP figures and what the replay's phone saw of its stream.</summary>
    private static void AppendRtp(StringBuilder page, ReplayCallReport call)
    {
        if (call.Media is { } m)
        {
            page.Append("<h3>Media (the bridge's RTP)</h3>\n<dl class=\"figures media\">\n");
            HtmlText.Figure(page, "ssrc", m.Ssrc);
            HtmlText.Figure(page, "local RTP port", m.LocalRtpPort);
            HtmlText.Figure(page, "packets sent", m.PacketsSent);
            HtmlText.Figure(page, "agent frames sent", m.AgentFramesSent);
            HtmlText.Figure(page, "packets received", m.PacketsReceived);
            HtmlText.Figure(page, "bad packets", m.BadPackets);
            HtmlText.Figure(page, "unknown payload type", m.UnknownPayloadTypePackets);
            HtmlText.Figure(page, "wrong size", m.WrongSizePackets);
            HtmlText.Figure(page, "DTMF digits in", m.DtmfDigits);
            HtmlText.Figure(page, "DTMF digits out", m.DtmfDigitsSent);
            HtmlText.Figure(page, "RTCP received", m.RtcpReceived);
            HtmlText.Figure(page, "relatches", m.Relatches);
            HtmlText.Figure(page, "foreign packets", m.ForeignPackets);
            HtmlText.Figure(page, "jitter target delay", HtmlText.Ms(m.JitterTargetDelayMs));
            HtmlText.Figure(page, "concealed", HtmlText.Ms(m.ConcealedMs));
            HtmlText.Figure(page, "late packets", m.LatePackets);
            HtmlText.Figure(page, "duplicate packets", m.DuplicatePackets);
            HtmlText.Figure(page, "discarded packets", m.DiscardedPackets);
            HtmlText.Figure(page, "overflow frames", m.OverflowFrames);
            page.Append("</dl>\n");
        }

        if (call.Rtp is { } r)
        {
            page.Append("<h3>RTP as the phone saw it</h3>\n<dl class=\"figures rtp\">\n");
            HtmlText.Figure(page, "SSRCs", r.Ssrcs);
            HtmlText.Figure(page, "packets", r.Packets);
            HtmlText.Figure(page, "sequence gaps", r.SequenceGaps);
            HtmlText.Figure(page, "timestamp jumps", r.TimestampJumps);
            HtmlText.Figure(page, "concealed", HtmlText.Ms(r.ConcealedMs));
            if (r.ReferredTo is { } referred)
            {
                HtmlText.Figure(page, "referred to", referred);
            }

            if (!string.IsNullOrEmpty(r.DigitsHeard))
            {
                HtmlText.Figure(page, "digits heard", r.DigitsHeard);
            }

            page.Append("</dl>\n");
        }
    }
}
