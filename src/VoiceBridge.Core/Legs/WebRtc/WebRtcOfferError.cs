namespace VoiceBridge.Legs.WebRtc;

/// <summary>Why a browser's offer was refused.</summary>
public enum WebRtcOfferProblem
{
    /// <summary>The text is not a session description, or a line the leg needs is not well formed.</summary>
    Malformed,

    /// <summary>No <c>a=ice-ufrag</c>/<c>a=ice-pwd</c> at session or media level.</summary>
    MissingIceCredentials,

    /// <summary>No <c>a=fingerprint</c>: DTLS cannot authenticate the browser's certificate.</summary>
    MissingFingerprint,

    /// <summary>No usable <c>m=audio</c> line (absent, port 0, or not <c>UDP/TLS/RTP/SAVPF</c>).</summary>
    NoAudio,

    /// <summary>Neither opus/48000/2 nor PCMU/8000 is offered.</summary>
    NoSupportedCodec,

    /// <summary>The audio m-line lacks <c>a=rtcp-mux</c>; the leg has one port for RTP and RTCP.</summary>
    NoRtcpMux,

    /// <summary>The offer uses a feature the leg does not implement (a passive DTLS role, a fingerprint hash other than SHA-256, an ICE-lite peer).</summary>
    Unsupported,
}

/// <summary>
/// A refused offer: what is wrong, in words fit for the HTTP response body. Structural faults are the
/// client's bug (400); well-formed offers asking for something the leg cannot do are 422, as RFC 9110
/// describes "Unprocessable Content".
/// </summary>
public sealed record WebRtcOfferError(WebRtcOfferProblem Problem, string Message)
{
    /// <summary>400 for malformed offers and missing mandatory WebRTC attributes, 422 for unsupported ones.</summary>
    public int HttpStatus => Problem is WebRtcOfferProblem.Malformed or WebRtcOfferProblem.MissingIceCredentials or WebRtcOfferProblem.MissingFingerprint
        ? 400
        : 422;

    public override string ToString() => Message;
}
