using System.Text;

namespace VoiceBridge.Legs.Sip.Sdp;

/// <summary>
/// A session description (RFC 8866): the session-level lines and the media descriptions. Parsing is
/// strict about what offer/answer needs (v=, o=, m= syntax, rtpmap, ptime) and keeps unknown
/// attributes; <see cref="ToString"/> writes CRLF-terminated lines in the RFC's order.
/// </summary>
public sealed partial class SdpSession
{
    public SdpSession(SdpOrigin origin)
    {
        Origin = origin;
    }

    /// <summary>The origin line; its version increments each time the writer changes its description.</summary>
    public SdpOrigin Origin { get; set; }

    /// <summary>The <c>s=</c> line; <c>-</c> when there is nothing to say.</summary>
    public string SessionName { get; set; } = "-";

    /// <summary>The session-level <c>c=</c>, the default for media without their own.</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>Raw session-level <c>b=</c> values.</summary>
    public List<string> Bandwidths { get; } = [];

    /// <summary>The <c>t=</c> value; <c>0 0</c> (unbounded) for calls.</summary>
    public string Timing { get; set; } = "0 0";

    /// <summary>The session-level direction attribute, null when absent.</summary>
    public SdpDirection? Direction { get; set; }

    /// <summary>Other session-level attributes, in order.</summary>
    public List<SdpAttribute> Attributes { get; } = [];

    public List<SdpMedia> Media { get; } = [];

    public override string ToString()
    {
        var text = new StringBuilder(256);
        text.Append("v=0\r\n");
        text.Append("o=").Append(Origin).Append("\r\n");
        text.Append("s=").Append(SessionName).Append("\r\n");
        if (Connection is not null)
        {
            text.Append("c=").Append(Connection).Append("\r\n");
        }

        foreach (string bandwidth in Bandwidths)
        {
            text.Append("b=").Append(bandwidth).Append("\r\n");
        }

        text.Append("t=").Append(Timing).Append("\r\n");
        foreach (SdpAttribute attribute in Attributes)
        {
            text.Append("a=").Append(attribute).Append("\r\n");
        }

        if (Direction is { } direction)
        {
            text.Append("a=").Append(direction.ToAttribute()).Append("\r\n");
        }

        foreach (SdpMedia media in Media)
        {
            media.AppendTo(text);
        }

        return text.ToString();
    }
}
