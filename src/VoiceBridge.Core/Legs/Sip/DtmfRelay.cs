namespace VoiceBridge.Legs.Sip;

/// <summary>
/// The digit in a SIP INFO, which some PBXs send instead of RFC 4733 events: an
/// <c>application/dtmf-relay</c> body (a de-facto format: <c>Signal=5</c> and <c>Duration=160</c>
/// lines), or an <c>application/dtmf</c> one (the key alone).
/// </summary>
public static class DtmfRelay
{
    /// <summary>The digit of an INFO body of type <paramref name="contentType"/>; false for other types or no key.</summary>
    public static bool TryParse(string? contentType, string body, out char digit)
    {
        var type = (contentType ?? "").Split(';')[0].Trim();
        if (type.Equals("application/dtmf", StringComparison.OrdinalIgnoreCase))
        {
            return TryKey(body.Trim(), out digit);
        }

        digit = '\0';
        return type.Equals("application/dtmf-relay", StringComparison.OrdinalIgnoreCase) && TryParse(body, out digit);
    }

    /// <summary>The <c>Signal=</c> line of an <c>application/dtmf-relay</c> body.</summary>
    private static bool TryParse(string body, out char digit)
    {
        digit = '\0';
        foreach (var line in body.Split('\n'))
        {
            var parts = line.Split('=', 2);
            if (parts.Length == 2 && parts[0].Trim().Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                return TryKey(parts[1].Trim(), out digit);
            }
        }

        return false;
    }

    /// <summary>A key as these bodies write it: 0-9, *, #, A-D, or 10 and 11 for * and # (the RFC 4733 event codes).</summary>
    private static bool TryKey(string value, out char digit)
    {
        digit = '\0';
        if (value.Length == 1 && Rtp.Dtmf4733.TryGetCode(value[0], out _))
        {
            digit = char.ToUpperInvariant(value[0]);
            return true;
        }

        if (value is "10" or "11")
        {
            digit = value == "10" ? '*' : '#';
            return true;
        }

        return false;
    }
}
