namespace VoiceBridge.Legs.Sip;

/// <summary>
/// The <c>application/dtmf-relay</c> body of a SIP INFO (a de-facto format: <c>Signal=5</c> and
/// <c>Duration=160</c> lines), which some PBXs send instead of RFC 4733 events.
/// </summary>
public static class DtmfRelay
{
    public static bool TryParse(string body, out char digit)
    {
        digit = '\0';
        foreach (var line in body.Split('\n'))
        {
            var parts = line.Split('=', 2);
            if (parts.Length == 2 && parts[0].Trim().Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                var value = parts[1].Trim();
                if (value.Length == 1 && "0123456789*#ABCDabcd".Contains(value[0], StringComparison.Ordinal))
                {
                    digit = char.ToUpperInvariant(value[0]);
                    return true;
                }

                if (value is "10" or "11")
                {
                    digit = value == "10" ? '*' : '#';
                    return true;
                }
            }
        }

        return false;
    }
}
