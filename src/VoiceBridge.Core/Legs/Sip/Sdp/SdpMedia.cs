using System.Globalization;
using System.Text;

namespace VoiceBridge.Legs.Sip.Sdp;

/// <summary>
/// One media description: the <c>m=</c> line and the lines after it up to the next <c>m=</c>
/// (RFC 8866 section 5.14). The attributes offer/answer needs are typed; the rest are kept in order.
/// </summary>
public sealed class SdpMedia
{
    public SdpMedia(string media, int port, string protocol)
    {
        Media = media;
        Port = port;
        Protocol = protocol;
    }

    /// <summary><c>audio</c>, <c>video</c>, <c>application</c>, ...</summary>
    public string Media { get; set; }

    /// <summary>The transport port; 0 marks a rejected or disabled stream (RFC 3264 section 6).</summary>
    public int Port { get; set; }

    /// <summary>The optional <c>/&lt;number of ports&gt;</c> after the port.</summary>
    public int? PortCount { get; set; }

    /// <summary><c>RTP/AVP</c>, <c>RTP/SAVP</c>, <c>UDP/TLS/RTP/SAVPF</c>, ...</summary>
    public string Protocol { get; set; }

    /// <summary>The format list: payload type numbers for RTP profiles, in preference order.</summary>
    public List<string> Formats { get; } = [];

    /// <summary>A media-level <c>c=</c>, which overrides the session's.</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>Raw <c>b=</c> values.</summary>
    public List<string> Bandwidths { get; } = [];

    public List<SdpRtpMap> RtpMaps { get; } = [];

    public List<SdpFmtp> Fmtps { get; } = [];

    /// <summary><c>a=ptime</c> in milliseconds: the packet duration the writer wants to receive.</summary>
    public int? Ptime { get; set; }

    public int? MaxPtime { get; set; }

    /// <summary>The media-level direction attribute, null when absent (the session's, or sendrecv, applies).</summary>
    public SdpDirection? Direction { get; set; }

    /// <summary>Every other attribute, in order.</summary>
    public List<SdpAttribute> Attributes { get; } = [];

    /// <summary>The rtpmap of <paramref name="payloadType"/>, or null.</summary>
    public SdpRtpMap? FindRtpMap(int payloadType) => RtpMaps.Find(m => m.PayloadType == payloadType);

    /// <summary>The fmtp parameters of <paramref name="format"/>, or null.</summary>
    public string? FindFmtp(string format) => Fmtps.Find(f => f.Format == format)?.Parameters;

    /// <summary>The direction in force: this media's attribute, else the session's, else sendrecv (RFC 8866 section 6.7).</summary>
    public SdpDirection EffectiveDirection(SdpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Direction ?? session.Direction ?? SdpDirection.SendRecv;
    }

    /// <summary>The connection in force: this media's <c>c=</c>, else the session's.</summary>
    public SdpConnection? EffectiveConnection(SdpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Connection ?? session.Connection;
    }

    internal void AppendTo(StringBuilder text)
    {
        string port = PortCount is { } count ? $"{Port}/{count}" : Port.ToString(CultureInfo.InvariantCulture);
        text.Append("m=").Append(Media).Append(' ').Append(port).Append(' ').Append(Protocol);
        foreach (string format in Formats)
        {
            text.Append(' ').Append(format);
        }

        text.Append("\r\n");
        if (Connection is not null)
        {
            text.Append("c=").Append(Connection).Append("\r\n");
        }

        foreach (string bandwidth in Bandwidths)
        {
            text.Append("b=").Append(bandwidth).Append("\r\n");
        }

        foreach (SdpRtpMap map in RtpMaps)
        {
            text.Append("a=rtpmap:").Append(map).Append("\r\n");
        }

        foreach (SdpFmtp fmtp in Fmtps)
        {
            text.Append("a=fmtp:").Append(fmtp.Format).Append(' ').Append(fmtp.Parameters).Append("\r\n");
        }

        if (Ptime is { } ptime)
        {
            text.Append(CultureInfo.InvariantCulture, $"a=ptime:{ptime}\r\n");
        }

        if (MaxPtime is { } maxPtime)
        {
            text.Append(CultureInfo.InvariantCulture, $"a=maxptime:{maxPtime}\r\n");
        }

        foreach (SdpAttribute attribute in Attributes)
        {
            text.Append("a=").Append(attribute).Append("\r\n");
        }

        if (Direction is { } direction)
        {
            text.Append("a=").Append(direction.ToAttribute()).Append("\r\n");
        }
    }
}
