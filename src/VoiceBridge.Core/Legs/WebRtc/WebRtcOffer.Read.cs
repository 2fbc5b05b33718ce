using System.Globalization;
using VoiceBridge.Legs.Sip.Sdp;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>Reading the WebRTC attributes: each step returns null or the first thing wrong.</summary>
public sealed partial class WebRtcOffer
{
    private const int Sha256Length = 32;
    private const int MaxIceAttributeLength = 256;

    // Payload types with a static meaning (RFC 3551 table 4) that an offer may list without an rtpmap.
    private static readonly WebRtcPayloadType StaticPcmu = new(0, "PCMU", 8000, 1, null);
    private static readonly WebRtcPayloadType StaticPcma = new(8, "PCMA", 8000, 1, null);

    private WebRtcOfferError? ReadBundle()
    {
        foreach (SdpAttribute group in Sdp.Attributes)
        {
            if (group.Name != "group" || group.Value is null)
            {
                continue;
            }

            string[] parts = group.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 1 && parts[0] == "BUNDLE" && AudioMid is not null && Array.IndexOf(parts, AudioMid, 1) > 0)
            {
                Bundle = parts[1..];
            }
        }

        return null;
    }

    // RFC 8839 section 5.4: media-level ICE attributes override session-level ones.
    private WebRtcOfferError? ReadIce()
    {
        string? ufrag = Value(Audio.Attributes, "ice-ufrag") ?? Value(Sdp.Attributes, "ice-ufrag");
        string? pwd = Value(Audio.Attributes, "ice-pwd") ?? Value(Sdp.Attributes, "ice-pwd");
        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(pwd))
        {
            return new WebRtcOfferError(
                WebRtcOfferProblem.MissingIceCredentials,
                $"the offer has no a={(string.IsNullOrEmpty(ufrag) ? "ice-ufrag" : "ice-pwd")} at session or audio level");
        }

        if (!IsIceString(ufrag, 4))
        {
            return Malformed("a=ice-ufrag must be 4 to 256 characters of A-Z a-z 0-9 + / (RFC 8839 section 5.4)");
        }

        if (!IsIceString(pwd, 22))
        {
            return Malformed("a=ice-pwd must be 22 to 256 characters of A-Z a-z 0-9 + / (RFC 8839 section 5.4)");
        }

        IceUfrag = ufrag;
        IcePwd = pwd;
        return null;
    }

    /// <summary>True when <paramref name="value"/> is an RFC 8839 ice-char string of <paramref name="minLength"/> to 256 characters.</summary>
    internal static bool IsIceString(string value, int minLength)
    {
        if (value.Length < minLength || value.Length > MaxIceAttributeLength)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '/')
            {
                return false;
            }
        }

        return true;
    }

    // The browser may list several fingerprints (RFC 8122 section 5); we verify with SHA-256, which every browser sends.
    private WebRtcOfferError? ReadFingerprint()
    {
        List<SdpAttribute> fingerprints = Audio.Attributes.FindAll(a => a.Name == "fingerprint");
        if (fingerprints.Count == 0)
        {
            fingerprints = Sdp.Attributes.FindAll(a => a.Name == "fingerprint");
        }

        if (fingerprints.Count == 0)
        {
            return new WebRtcOfferError(WebRtcOfferProblem.MissingFingerprint, "the offer has no a=fingerprint; DTLS-SRTP needs the browser's certificate hash");
        }

        foreach (SdpAttribute attribute in fingerprints)
        {
            string[] parts = (attribute.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                return Malformed("a=fingerprint must be <hash function> <hex bytes>");
            }

            if (!string.Equals(parts[0], "sha-256", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            byte[]? hash = ParseFingerprint(parts[1]);
            if (hash is null)
            {
                return Malformed($"a=fingerprint:sha-256 must be {Sha256Length} colon-separated hex bytes");
            }

            Fingerprint = parts[1];
            FingerprintSha256 = hash;
            return null;
        }

        return Unsupported("the offer has no sha-256 a=fingerprint; this endpoint verifies DTLS certificates with SHA-256 only");
    }

    /// <summary>Parses <c>AB:CD:...</c> (32 bytes, either case) or returns null.</summary>
    internal static byte[]? ParseFingerprint(string text)
    {
        if (text.Length != (Sha256Length * 3) - 1)
        {
            return null;
        }

        var hash = new byte[Sha256Length];
        for (int i = 0; i < Sha256Length; i++)
        {
            int at = i * 3;
            if ((i > 0 && text[at - 1] != ':')
                || !byte.TryParse(text.AsSpan(at, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out hash[i]))
            {
                return null;
            }
        }

        return hash;
    }

    private WebRtcOfferError? ReadSetup()
    {
        string? setup = Value(Audio.Attributes, "setup") ?? Value(Sdp.Attributes, "setup");
        switch (setup)
        {
            case "actpass":
                Setup = WebRtcOfferSetup.ActPass;
                return null;
            case null or "active":
                Setup = WebRtcOfferSetup.Active;
                return null;
            case "passive":
                return Unsupported("a=setup:passive would make this endpoint the DTLS client; it is a DTLS server only (offer actpass or active)");
            case "holdconn":
                return Unsupported("a=setup:holdconn asks for no DTLS connection; a call needs one (offer actpass or active)");
            default:
                return Malformed($"a=setup:{setup} is not one of actpass, active, passive, holdconn (RFC 4145)");
        }
    }

    private WebRtcOfferError? ReadPayloadTypes()
    {
        var payloadTypes = new List<WebRtcPayloadType>(Audio.Formats.Count);
        foreach (string format in Audio.Formats)
        {
            if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number > 127)
            {
                return Malformed($"m=audio format '{format}' is not an RTP payload type (0-127)");
            }

            if (Audio.FindRtpMap(number) is { } map)
            {
                payloadTypes.Add(new WebRtcPayloadType(number, map.EncodingName, map.ClockRate, map.Channels, Audio.FindFmtp(format)));
            }
            else if (number == StaticPcmu.PayloadType || number == StaticPcma.PayloadType)
            {
                payloadTypes.Add(number == 0 ? StaticPcmu : StaticPcma);
            }
        }

        AudioPayloadTypes = payloadTypes;
        return Opus is null && Pcmu is null
            ? new WebRtcOfferError(WebRtcOfferProblem.NoSupportedCodec, "the m=audio line offers neither opus/48000/2 nor PCMU/8000")
            : null;
    }

    private WebRtcOfferError? ReadCandidates()
    {
        var candidates = new List<WebRtcCandidate>();
        foreach (SdpAttribute attribute in Audio.Attributes)
        {
            if (attribute.Name != "candidate")
            {
                continue;
            }

            WebRtcCandidate? candidate = ParseCandidate(attribute.Value);
            if (candidate is null)
            {
                return Malformed($"a=candidate:{attribute.Value} is not <foundation> <component> <transport> <priority> <address> <port> typ <type> (RFC 8839 section 5.1)");
            }

            candidates.Add(candidate);
        }

        Candidates = candidates;
        return null;
    }

    private static WebRtcCandidate? ParseCandidate(string? value)
    {
        string[] parts = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (parts.Length < 8 || parts[6] != "typ" || parts[0].Length is 0 or > 32)
        {
            return null;
        }

        bool numbers = int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int component)
            & uint.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint priority)
            & int.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out int port);
        return numbers && component is >= 1 and <= 256 && port <= 65535
            ? new WebRtcCandidate(parts[0], component, parts[2], priority, parts[4], port, parts[7])
            : null;
    }
}
