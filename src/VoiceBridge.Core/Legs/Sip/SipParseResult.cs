namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Outcome of <see cref="SipParser.Parse"/>: a message (<see cref="Ok"/>), a keep-alive, or an error
/// naming what is wrong. For a malformed request that can still be answered, <see cref="Answerable"/>
/// holds what was read (start line and headers, no body) so the caller can send
/// <see cref="SuggestedStatusCode"/> with <see cref="SipMessage.CreateResponse"/>; malformed responses are
/// dropped (RFC 3261 8.1.3.5 / 18.1.2) and never answerable.
/// </summary>
public readonly record struct SipParseResult(SipMessage? Message, string? Error, SipMessage? Answerable)
{
    public bool Ok => Message is not null;

    /// <summary>An empty datagram or bare CRLFs (RFC 5626 keep-alive): neither a message nor an error.</summary>
    public bool IsKeepAlive { get; init; }

    /// <summary>With <see cref="Answerable"/>: 505 for an unsupported SIP version, else 400. 0 otherwise.</summary>
    public int SuggestedStatusCode { get; init; }

    internal static SipParseResult Parsed(SipMessage message) => new(message, null, null);

    internal static SipParseResult Failed(string error) => new(null, error, null);

    internal static SipParseResult KeepAlive() => new(null, null, null) { IsKeepAlive = true };
}
