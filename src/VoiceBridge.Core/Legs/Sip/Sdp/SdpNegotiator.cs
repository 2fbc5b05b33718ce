using System.Globalization;

namespace VoiceBridge.Legs.Sip.Sdp;

/// <summary>
/// The answerer's side of RFC 3264 offer/answer for a G.711 phone call. The first audio stream with a
/// codec we carry (PCMU or PCMA, by static payload type or by rtpmap name for dynamic ones) is accepted
/// with that single codec, plus telephone-event when offered; every other m= line is refused with port 0.
/// Re-offers (hold, resume, codec change) go through the same method: it is stateless, the leg supplies
/// the next o= version in <see cref="SdpLocal"/>.
/// </summary>
public static class SdpNegotiator
{
    /// <summary>The packet duration we send and ask for: the call's 20 ms frame.</summary>
    public const int PtimeMs = 20;

    private const int G711ClockRate = 8000;
    private const string TelephoneEvent = "telephone-event";

    /// <summary>The payload type of telephone-event in our own offer (a dynamic one, as is usual).</summary>
    public const int OfferedTelephoneEventType = 101;

    /// <summary>
    /// Our offer when the caller made none (a delayed offer, RFC 3261 13.2.1: it goes in our 200 and
    /// the answer comes in the ACK): PCMU, PCMA and telephone-event, 20 ms, sending and receiving.
    /// </summary>
    public static SdpSession Offer(SdpLocal local)
    {
        ArgumentNullException.ThrowIfNull(local);
        var offer = new SdpSession(new SdpOrigin(local.UserName, local.SessionId.ToString(CultureInfo.InvariantCulture), local.SessionVersion, "IN", SdpConnection.For(local.Address).AddressType, local.Address))
        {
            SessionName = local.SessionName,
            Connection = SdpConnection.For(local.Address),
        };
        var media = new SdpMedia("audio", local.RtpPort, "RTP/AVP") { Ptime = PtimeMs, Direction = SdpDirection.SendRecv };
        var telephoneEvent = OfferedTelephoneEventType.ToString(CultureInfo.InvariantCulture);
        media.Formats.AddRange(["0", "8", telephoneEvent]);
        media.RtpMaps.Add(new SdpRtpMap(0, "PCMU", G711ClockRate));
        media.RtpMaps.Add(new SdpRtpMap(8, "PCMA", G711ClockRate));
        media.RtpMaps.Add(new SdpRtpMap(OfferedTelephoneEventType, TelephoneEvent, G711ClockRate));
        media.Fmtps.Add(new SdpFmtp(telephoneEvent, "0-16"));
        offer.Media.Add(media);
        return offer;
    }

    public static SdpAnswerResult Answer(SdpSession offer, SdpLocal local)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(local);
        var answer = new SdpSession(new SdpOrigin(local.UserName, local.SessionId.ToString(CultureInfo.InvariantCulture), local.SessionVersion, "IN", SdpConnection.For(local.Address).AddressType, local.Address))
        {
            SessionName = local.SessionName,
            Connection = SdpConnection.For(local.Address),
            Timing = offer.Timing,
        };

        SdpMediaChoice? choice = null;
        string? reason = null;
        foreach (SdpMedia offered in offer.Media)
        {
            SdpMedia? accepted = null;
            if (choice is null)
            {
                (accepted, choice, reason) = TryAccept(offer, offered, local, reason);
            }

            answer.Media.Add(accepted ?? Refuse(offered));
        }

        if (choice is null)
        {
            return new SdpAnswerResult(null, null, reason ?? "offer has no audio stream");
        }

        return new SdpAnswerResult(answer, choice, null);
    }

    private static (SdpMedia? Accepted, SdpMediaChoice? Choice, string? Reason) TryAccept(SdpSession offer, SdpMedia offered, SdpLocal local, string? reason)
    {
        if (offered.Media != "audio")
        {
            return (null, null, reason);
        }

        if (offered.Port == 0)
        {
            return (null, null, reason ?? "the offer's audio stream is disabled (port 0)");
        }

        if (offered.Protocol is not ("RTP/AVP" or "RTP/AVPF"))
        {
            return (null, null, $"audio transport {offered.Protocol} is not supported (RTP/AVP only, no SRTP)");
        }

        SdpConnection? connection = offered.EffectiveConnection(offer);
        if (connection is null)
        {
            return (null, null, "the offer's audio stream has no c= address");
        }

        if (!TryPickCodec(offered, out SdpCodec codec, out int payloadType))
        {
            return (null, null, $"no common audio codec: offered {string.Join(' ', offered.Formats.Select(f => Describe(offered, f)))}, supported PCMU/8000 PCMA/8000");
        }

        SdpDirection offeredDirection = offered.EffectiveDirection(offer);
        if (connection.IsUnspecified)
        {
            // c=0.0.0.0 says "do not send to me" whatever the direction attribute says.
            offeredDirection = SdpDirections.From(offeredDirection.Sends(), receives: false);
        }

        SdpDirection ours = offeredDirection.Mirror();
        var media = new SdpMedia("audio", local.RtpPort, offered.Protocol) { Ptime = PtimeMs, Direction = ours };
        media.Formats.Add(payloadType.ToString(CultureInfo.InvariantCulture));
        media.RtpMaps.Add(new SdpRtpMap(payloadType, codec == SdpCodec.Pcmu ? "PCMU" : "PCMA", G711ClockRate));
        int? eventType = FindTelephoneEvent(offered);
        if (eventType is { } te)
        {
            string format = te.ToString(CultureInfo.InvariantCulture);
            media.Formats.Add(format);
            media.RtpMaps.Add(new SdpRtpMap(te, TelephoneEvent, G711ClockRate));
            if (offered.FindFmtp(format) is { } parameters)
            {
                media.Fmtps.Add(new SdpFmtp(format, parameters));
            }
        }

        bool hold = !offeredDirection.Receives();
        var choice = new SdpMediaChoice(connection.Address, offered.Port, codec, payloadType, eventType, PtimeMs, offered.Ptime, ours, hold);
        return (media, choice, null);
    }

    private static bool TryPickCodec(SdpMedia offered, out SdpCodec codec, out int payloadType)
    {
        foreach (string format in offered.Formats)
        {
            if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out payloadType) || payloadType > 127)
            {
                continue;
            }

            SdpRtpMap? map = offered.FindRtpMap(payloadType);
            string? name = map is null ? StaticName(payloadType) : (map.ClockRate == G711ClockRate && map.Channels == 1 ? map.EncodingName : null);
            if (string.Equals(name, "PCMU", StringComparison.OrdinalIgnoreCase))
            {
                codec = SdpCodec.Pcmu;
                return true;
            }

            if (string.Equals(name, "PCMA", StringComparison.OrdinalIgnoreCase))
            {
                codec = SdpCodec.Pcma;
                return true;
            }
        }

        codec = default;
        payloadType = -1;
        return false;
    }

    private static int? FindTelephoneEvent(SdpMedia offered)
    {
        foreach (SdpRtpMap map in offered.RtpMaps)
        {
            if (string.Equals(map.EncodingName, TelephoneEvent, StringComparison.OrdinalIgnoreCase)
                && map.ClockRate == G711ClockRate
                && offered.Formats.Contains(map.PayloadType.ToString(CultureInfo.InvariantCulture)))
            {
                return map.PayloadType;
            }
        }

        return null;
    }

    // RFC 3551 table 4: the static audio payload types we can name without an rtpmap.
    private static string? StaticName(int payloadType) => payloadType switch
    {
        0 => "PCMU",
        8 => "PCMA",
        _ => null,
    };

    private static string Describe(SdpMedia offered, string format) =>
        int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int pt) && offered.FindRtpMap(pt) is { } map
            ? $"{format}:{map.EncodingName}/{map.ClockRate}"
            : format;

    // RFC 3264 section 6: a refused stream keeps its media type and proto, port 0, and one offered format.
    private static SdpMedia Refuse(SdpMedia offered)
    {
        var media = new SdpMedia(offered.Media, 0, offered.Protocol);
        media.Formats.Add(offered.Formats[0]);
        return media;
    }
}
