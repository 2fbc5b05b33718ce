namespace VoiceBridge.Legs.Sip.Sdp;

/// <summary>The origin line, <c>o=&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; &lt;nettype&gt; &lt;addrtype&gt; &lt;address&gt;</c> (RFC 8866 section 5.2).</summary>
/// <remarks>The session id stays text: it only has to be unique, and peers send ids wider than 64 bits.</remarks>
public sealed record SdpOrigin(string UserName, string SessionId, ulong SessionVersion, string NetworkType, string AddressType, string Address)
{
    public override string ToString() => $"{UserName} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}";
}

/// <summary>A connection line, <c>c=IN IP4 203.0.113.5</c> (RFC 8866 section 5.7); any <c>/ttl</c> suffix is dropped.</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    /// <summary>For an advertised address: <c>IN IP6</c> when it contains a colon, else <c>IN IP4</c>.</summary>
    public static SdpConnection For(string address) => new("IN", address.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4", address);

    /// <summary>
    /// True for 0.0.0.0 or ::, the pre-RFC 3264 way to put a call on hold ("do not send to me"),
    /// which RFC 3264 section 8.4 still asks answerers to understand.
    /// </summary>
    public bool IsUnspecified => Address is "0.0.0.0" or "::";

    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>An <c>a=rtpmap:&lt;pt&gt; &lt;name&gt;/&lt;clock&gt;[/&lt;channels&gt;]</c> attribute (RFC 8866 section 6.6).</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int Channels = 1)
{
    public override string ToString() => Channels == 1
        ? $"{PayloadType} {EncodingName}/{ClockRate}"
        : $"{PayloadType} {EncodingName}/{ClockRate}/{Channels}";
}

/// <summary>An <c>a=fmtp:&lt;format&gt; &lt;parameters&gt;</c> attribute (RFC 8866 section 6.15), parameters kept as text.</summary>
public sealed record SdpFmtp(string Format, string Parameters);

/// <summary>Any other attribute, <c>a=name</c> or <c>a=name:value</c>, kept so a parsed description can be written back.</summary>
public sealed record SdpAttribute(string Name, string? Value)
{
    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}
