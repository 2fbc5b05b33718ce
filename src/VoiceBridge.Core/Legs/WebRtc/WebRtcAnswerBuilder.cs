using System.Globalization;
using VoiceBridge.Legs.Sip.Sdp;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// Builds the answer to a <see cref="WebRtcOffer"/> for an ICE-lite, DTLS-server, audio-only endpoint:
/// <c>a=ice-lite</c>, our credentials and fingerprint, <c>a=setup:passive</c>, <c>a=rtcp-mux</c>, one host
/// candidate and <c>a=end-of-candidates</c> (there will never be more), and one codec plus telephone-event.
/// Every other m-line is rejected with port 0 and <c>a=inactive</c> under its own mid; following RFC 8843
/// section 7.3.3 a rejected mid leaves the answer's BUNDLE group, which keeps the audio mid and so stays valid.
/// </summary>
public static class WebRtcAnswerBuilder
{
    /// <summary>RFC 8445 section 5.1.2.1 host priority for component 1: (126 &lt;&lt; 24) | (65535 &lt;&lt; 8) | 255.</summary>
    public const uint HostPriority = 2130706431;

    /// <summary>
    /// Opus parameters we announce: 10 ms frames allowed. No <c>useinbandfec</c> (RFC 7587 section 6.1):
    /// packets are decoded as they arrive, before the jitter buffer, so FEC the browser added would be
    /// bits it spent for nothing.
    /// </summary>
    public const string OpusFmtp = "minptime=10";

    /// <summary>The payload type and codec the answer would choose for <paramref name="offer"/>.</summary>
    public static (WebRtcAudioCodec Codec, WebRtcPayloadType PayloadType) ChooseCodec(WebRtcOffer offer, WebRtcCodecPreference preference)
    {
        ArgumentNullException.ThrowIfNull(offer);
        WebRtcPayloadType? opus = offer.Opus;
        WebRtcPayloadType? pcmu = offer.Pcmu;
        return (preference == WebRtcCodecPreference.Pcmu && pcmu is not null) || opus is null
            ? (WebRtcAudioCodec.Pcmu, pcmu!)
            : (WebRtcAudioCodec.Opus, opus);
    }

    /// <summary>Builds the answer.</summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> fail <see cref="WebRtcAnswerParameters.Validate"/>.</exception>
    public static WebRtcAnswer Build(WebRtcOffer offer, WebRtcAnswerParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(parameters);
        IReadOnlyList<string> problems = parameters.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid WebRTC answer parameters: " + string.Join("; ", problems), nameof(parameters));
        }

        (WebRtcAudioCodec codec, WebRtcPayloadType chosen) = ChooseCodec(offer, parameters.Preference);
        WebRtcPayloadType? telephoneEvent = offer.TelephoneEvent(chosen.ClockRate);
        SdpDirection direction = offer.AudioDirection.Mirror();
        string address = parameters.Address.ToString();
        var sdp = new SdpSession(new SdpOrigin("-", parameters.SessionId.ToString(CultureInfo.InvariantCulture), 1, "IN", Ip(address), address))
        {
            Connection = SdpConnection.For(address),
        };
        sdp.Attributes.Add(new SdpAttribute("ice-lite", null));
        if (offer.Bundle.Count > 0)
        {
            sdp.Attributes.Add(new SdpAttribute("group", "BUNDLE " + offer.AudioMid));
        }

        for (int i = 0; i < offer.Sdp.Media.Count; i++)
        {
            sdp.Media.Add(i == offer.AudioIndex
                ? Audio(offer, parameters, chosen, telephoneEvent, direction)
                : Rejected(offer.Sdp.Media[i]));
        }

        return new WebRtcAnswer(sdp.ToString(), offer.AudioMid, codec, chosen.PayloadType, chosen.ClockRate, telephoneEvent?.PayloadType, direction);
    }

    private static SdpMedia Audio(
        WebRtcOffer offer, WebRtcAnswerParameters parameters, WebRtcPayloadType chosen, WebRtcPayloadType? telephoneEvent, SdpDirection direction)
    {
        var media = new SdpMedia("audio", parameters.Port, WebRtcOffer.Profile) { Ptime = 20, Direction = direction };
        Add(media, chosen, chosen.IsOpus ? OpusFmtp : null);
        if (telephoneEvent is not null)
        {
            Add(media, telephoneEvent, "0-15");
        }

        List<SdpAttribute> attributes = media.Attributes;
        if (offer.AudioMid is { } mid)
        {
            attributes.Add(new SdpAttribute("mid", mid));
        }

        attributes.Add(new SdpAttribute("ice-ufrag", parameters.IceUfrag));
        attributes.Add(new SdpAttribute("ice-pwd", parameters.IcePwd));
        attributes.Add(new SdpAttribute("fingerprint", "sha-256 " + parameters.FingerprintSha256.ToUpperInvariant()));
        attributes.Add(new SdpAttribute("setup", "passive"));
        attributes.Add(new SdpAttribute("rtcp-mux", null));
        attributes.Add(new SdpAttribute("msid", $"{parameters.MediaStreamId} {parameters.MediaStreamId}-audio"));
        attributes.Add(new SdpAttribute(
            "candidate",
            string.Create(CultureInfo.InvariantCulture, $"1 1 udp {HostPriority} {parameters.Address} {parameters.Port} typ host")));
        attributes.Add(new SdpAttribute("end-of-candidates", null));
        return media;
    }

    private static void Add(SdpMedia media, WebRtcPayloadType payloadType, string? fmtp)
    {
        string format = payloadType.PayloadType.ToString(CultureInfo.InvariantCulture);
        media.Formats.Add(format);
        media.RtpMaps.Add(new SdpRtpMap(payloadType.PayloadType, payloadType.EncodingName, payloadType.ClockRate, payloadType.Channels));
        if (fmtp is not null)
        {
            media.Fmtps.Add(new SdpFmtp(format, fmtp));
        }
    }

    // RFC 3264 section 6: a rejected stream keeps its media type, protocol and (at least one) format, with port 0.
    private static SdpMedia Rejected(SdpMedia offered)
    {
        var media = new SdpMedia(offered.Media, 0, offered.Protocol) { Direction = SdpDirection.Inactive };
        media.Formats.Add(offered.Formats[0]);
        if (offered.Attributes.Find(a => a.Name == "mid")?.Value is { } mid)
        {
            media.Attributes.Add(new SdpAttribute("mid", mid));
        }

        return media;
    }

    private static string Ip(string address) => address.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4";
}
