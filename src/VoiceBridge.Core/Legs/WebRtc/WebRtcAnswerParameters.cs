using System.Net;
using System.Security.Cryptography;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>What our side of the answer says: ICE credentials, certificate fingerprint, the one host candidate, the codec choice.</summary>
/// <param name="IceUfrag">Our <c>a=ice-ufrag</c> (4-256 ice-chars): the browser's STUN USERNAME starts with it.</param>
/// <param name="IcePwd">Our <c>a=ice-pwd</c> (22-256 ice-chars): the key of the browser's STUN MESSAGE-INTEGRITY.</param>
/// <param name="FingerprintSha256">The SHA-256 of our DTLS certificate, <c>AB:CD:...</c> (32 bytes).</param>
/// <param name="Address">The address the browser sends to: our host candidate and the <c>c=</c> line.</param>
/// <param name="Port">The UDP port that carries STUN, DTLS, RTP and RTCP (1-65535).</param>
public sealed record WebRtcAnswerParameters(string IceUfrag, string IcePwd, string FingerprintSha256, IPAddress Address, int Port)
{
    /// <summary>The codec when the browser offers both Opus and PCMU; Opus by default (see <see cref="WebRtcCodecPreference.Opus"/>).</summary>
    public WebRtcCodecPreference Preference { get; init; } = WebRtcCodecPreference.Opus;

    /// <summary>The <c>o=</c> session id: random unless a test fixes it.</summary>
    public ulong SessionId { get; init; } = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong))) >> 2;

    /// <summary>The <c>a=msid</c> stream and track ids, so the browser's <c>ontrack</c> sees our audio in a stream.</summary>
    public string MediaStreamId { get; init; } = "voicebridge";

    /// <summary>Every problem with the parameters, each naming its member; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!WebRtcOffer.IsIceString(IceUfrag ?? "", 4))
        {
            errors.Add($"{nameof(IceUfrag)} must be 4 to 256 characters of A-Z a-z 0-9 + /");
        }

        if (!WebRtcOffer.IsIceString(IcePwd ?? "", 22))
        {
            errors.Add($"{nameof(IcePwd)} must be 22 to 256 characters of A-Z a-z 0-9 + /");
        }

        if (WebRtcOffer.ParseFingerprint(FingerprintSha256 ?? "") is null)
        {
            errors.Add($"{nameof(FingerprintSha256)} must be 32 colon-separated hex bytes");
        }

        if (Address is null || IPAddress.Any.Equals(Address) || IPAddress.IPv6Any.Equals(Address))
        {
            errors.Add($"{nameof(Address)} must be an address the browser can reach, not unspecified");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"{nameof(Port)} {Port} is not a UDP port (1-65535)");
        }

        if (!WebRtcOffer.IsIceString(MediaStreamId ?? "", 1))
        {
            errors.Add($"{nameof(MediaStreamId)} must be 1 to 256 characters of A-Z a-z 0-9 + /");
        }

        return errors;
    }
}

/// <summary>The built answer and what was negotiated in it.</summary>
/// <param name="Sdp">The answer text, CRLF line ends.</param>
/// <param name="Mid">The audio mid, echoed from the offer (null when it had none).</param>
/// <param name="Codec">The chosen codec.</param>
/// <param name="PayloadType">Its payload type, as the browser numbered it; we send and expect it.</param>
/// <param name="ClockRate">Its RTP clock: 48000 for Opus, 8000 for PCMU.</param>
/// <param name="TelephoneEventPayloadType">The RFC 4733 payload type at the same clock rate, null when not offered.</param>
/// <param name="Direction">The answered audio direction (the offer's, mirrored).</param>
public sealed record WebRtcAnswer(
    string Sdp, string? Mid, WebRtcAudioCodec Codec, int PayloadType, int ClockRate, int? TelephoneEventPayloadType, Sip.Sdp.SdpDirection Direction)
{
    /// <summary>RTP timestamp units per 20 ms packet: 960 for Opus (RFC 7587), 160 for PCMU.</summary>
    public int TimestampUnitsPerFrame => ClockRate / 50;
}
