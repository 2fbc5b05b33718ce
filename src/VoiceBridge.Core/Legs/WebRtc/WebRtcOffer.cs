using VoiceBridge.Legs.Sip.Sdp;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>The browser's DTLS role offer (RFC 5763 section 5): it decides which side we take.</summary>
public enum WebRtcOfferSetup
{
    /// <summary><c>a=setup:actpass</c>: the browser lets us choose; we answer passive (DTLS server).</summary>
    ActPass,

    /// <summary><c>a=setup:active</c> (or no attribute, RFC 4145's default): the browser is the DTLS client.</summary>
    Active,
}

/// <summary>
/// A browser's WebRTC offer, reduced to what an ICE-lite, DTLS-SRTP, audio-only answerer needs: the
/// audio m-line, its mid and BUNDLE group, the browser's ICE credentials and SHA-256 certificate
/// fingerprint, its DTLS role and the audio payload types. Every other m-line (video, data) is kept in
/// <see cref="Sdp"/> only so the answer can reject it by mid.
/// </summary>
public sealed partial class WebRtcOffer
{
    /// <summary>The only media profile WebRTC uses (RFC 8827): DTLS-SRTP with RTCP feedback.</summary>
    public const string Profile = "UDP/TLS/RTP/SAVPF";

    private WebRtcOffer(SdpSession sdp, int audioIndex)
    {
        Sdp = sdp;
        AudioIndex = audioIndex;
    }

    /// <summary>The whole parsed description.</summary>
    public SdpSession Sdp { get; }

    /// <summary>Index in <see cref="SdpSession.Media"/> of the audio m-line we accept.</summary>
    public int AudioIndex { get; }

    /// <summary>The audio m-line we accept.</summary>
    public SdpMedia Audio => Sdp.Media[AudioIndex];

    /// <summary>The audio m-line's <c>a=mid</c>, null when the offer has none.</summary>
    public string? AudioMid { get; private set; }

    /// <summary>The mids of the BUNDLE group holding the audio m-line; empty when it is not bundled.</summary>
    public IReadOnlyList<string> Bundle { get; private set; } = [];

    /// <summary>The browser's <c>a=ice-ufrag</c> (media level, else session level).</summary>
    public string IceUfrag { get; private set; } = "";

    /// <summary>The browser's <c>a=ice-pwd</c>: the key its STUN responses are signed with.</summary>
    public string IcePwd { get; private set; } = "";

    /// <summary>The SHA-256 fingerprint of the browser's DTLS certificate as offered (<c>AB:CD:...</c>).</summary>
    public string Fingerprint { get; private set; } = "";

    /// <summary>The same fingerprint as 32 bytes, for comparing with the certificate DTLS presents.</summary>
    public ReadOnlyMemory<byte> FingerprintSha256 { get; private set; }

    /// <summary>The browser's DTLS role offer; both values make us the DTLS server.</summary>
    public WebRtcOfferSetup Setup { get; private set; }

    /// <summary>The audio m-line's direction in force (sendrecv unless the offer says otherwise).</summary>
    public SdpDirection AudioDirection { get; private set; }

    /// <summary>The audio payload types in the browser's order of preference.</summary>
    public IReadOnlyList<WebRtcPayloadType> AudioPayloadTypes { get; private set; } = [];

    /// <summary>The audio m-line's candidates; empty for a trickle offer sent before gathering, which an ICE-lite answerer does not need.</summary>
    public IReadOnlyList<WebRtcCandidate> Candidates { get; private set; } = [];

    /// <summary>The first opus/48000/2 payload type, or null.</summary>
    public WebRtcPayloadType? Opus => Find(p => p.IsOpus);

    /// <summary>The first PCMU/8000 payload type, or null.</summary>
    public WebRtcPayloadType? Pcmu => Find(p => p.IsPcmu);

    /// <summary>The first telephone-event payload type at <paramref name="clockRate"/>, or null.</summary>
    public WebRtcPayloadType? TelephoneEvent(int clockRate) => Find(p => p.IsTelephoneEvent(clockRate));

    /// <summary>
    /// Parses and checks <paramref name="text"/>. Never throws on untrusted input: on failure
    /// <paramref name="offer"/> is null and <paramref name="error"/> says what is wrong and which HTTP
    /// status fits.
    /// </summary>
    public static bool TryParse(string text, out WebRtcOffer? offer, out WebRtcOfferError? error)
    {
        offer = null;
        if (!SdpSession.TryParse(text, out SdpSession? sdp, out string? sdpError))
        {
            error = new WebRtcOfferError(WebRtcOfferProblem.Malformed, $"malformed SDP: {sdpError}");
            return false;
        }

        error = FindAudio(sdp!, out int audioIndex);
        if (error is null)
        {
            var parsed = new WebRtcOffer(sdp!, audioIndex);
            error = parsed.Read();
            offer = error is null ? parsed : null;
        }

        return error is null;
    }

    private WebRtcPayloadType? Find(Predicate<WebRtcPayloadType> match)
    {
        foreach (WebRtcPayloadType payloadType in AudioPayloadTypes)
        {
            if (match(payloadType))
            {
                return payloadType;
            }
        }

        return null;
    }

    private static WebRtcOfferError? FindAudio(SdpSession sdp, out int audioIndex)
    {
        audioIndex = sdp.Media.FindIndex(m => m.Media == "audio" && (m.Port != 0 || HasAttribute(m.Attributes, "bundle-only")));
        if (audioIndex < 0)
        {
            return new WebRtcOfferError(WebRtcOfferProblem.NoAudio, "the offer has no active m=audio line; this endpoint carries audio only");
        }

        string protocol = sdp.Media[audioIndex].Protocol;
        return protocol == Profile
            ? null
            : new WebRtcOfferError(WebRtcOfferProblem.NoAudio, $"the m=audio line uses {protocol}; WebRTC needs {Profile}");
    }

    private WebRtcOfferError? Read()
    {
        SdpMedia audio = Audio;
        if (HasAttribute(Sdp.Attributes, "ice-lite"))
        {
            return Unsupported("the offer is ice-lite; this endpoint is ice-lite too and two lite agents never connect");
        }

        if (!HasAttribute(audio.Attributes, "rtcp-mux"))
        {
            return new WebRtcOfferError(WebRtcOfferProblem.NoRtcpMux, "the m=audio line lacks a=rtcp-mux; RTP and RTCP must share one port");
        }

        AudioMid = Value(audio.Attributes, "mid");
        AudioDirection = audio.EffectiveDirection(Sdp);
        return ReadBundle() ?? ReadIce() ?? ReadFingerprint() ?? ReadSetup() ?? ReadPayloadTypes() ?? ReadCandidates();
    }

    private static WebRtcOfferError Unsupported(string message) => new(WebRtcOfferProblem.Unsupported, message);

    private static WebRtcOfferError Malformed(string message) => new(WebRtcOfferProblem.Malformed, message);

    private static bool HasAttribute(List<SdpAttribute> attributes, string name) => attributes.Exists(a => a.Name == name);

    private static string? Value(List<SdpAttribute> attributes, string name) => attributes.Find(a => a.Name == name)?.Value;
}
