namespace VoiceBridge.Legs.Sip.Sdp;

/// <summary>The media direction attribute (RFC 8866 section 6.7), from the point of view of the side that wrote it.</summary>
public enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>Wire names and offer/answer mirroring for <see cref="SdpDirection"/>.</summary>
public static class SdpDirections
{
    /// <summary>The attribute name as it appears after <c>a=</c>.</summary>
    public static string ToAttribute(this SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    /// <summary>Recognises a direction attribute name; false for any other attribute.</summary>
    public static bool TryParse(string name, out SdpDirection direction)
    {
        (bool known, direction) = name switch
        {
            "sendrecv" => (true, SdpDirection.SendRecv),
            "sendonly" => (true, SdpDirection.SendOnly),
            "recvonly" => (true, SdpDirection.RecvOnly),
            "inactive" => (true, SdpDirection.Inactive),
            _ => (false, SdpDirection.SendRecv),
        };
        return known;
    }

    /// <summary>The answer's direction for an offered one (RFC 3264 section 6.1): a sendonly offer is answered recvonly and so on.</summary>
    public static SdpDirection Mirror(this SdpDirection offered) => offered switch
    {
        SdpDirection.SendOnly => SdpDirection.RecvOnly,
        SdpDirection.RecvOnly => SdpDirection.SendOnly,
        SdpDirection.Inactive => SdpDirection.Inactive,
        _ => SdpDirection.SendRecv,
    };

    /// <summary>Whether the side with this direction sends media.</summary>
    public static bool Sends(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    /// <summary>Whether the side with this direction receives media.</summary>
    public static bool Receives(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    /// <summary>The direction that sends when <paramref name="sends"/> and receives when <paramref name="receives"/>.</summary>
    public static SdpDirection From(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => SdpDirection.SendRecv,
        (true, false) => SdpDirection.SendOnly,
        (false, true) => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };
}
