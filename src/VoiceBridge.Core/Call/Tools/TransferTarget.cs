using System.Text.RegularExpressions;

namespace VoiceBridge.Call.Tools;

/// <summary>
/// Where a call can be transferred: a phone number in E.164 form (<c>+15551234567</c>; spaces,
/// dashes, dots and parentheses are dropped) or a SIP URI (<c>sip:</c> or <c>sips:</c>,
/// <c>user@host</c> with an optional port and parameters).
/// </summary>
public static partial class TransferTarget
{
    public static bool IsSip(string target) =>
        target.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || target.StartsWith("sips:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The target in canonical form, or why it is not one.</summary>
    public static bool TryNormalize(string? target, out string normalized, out string error)
    {
        normalized = "";
        var t = target?.Trim() ?? "";
        if (t.Length == 0)
        {
            error = "the transfer target is empty";
            return false;
        }

        if (IsSip(t))
        {
            if (!SipUri().IsMatch(t))
            {
                error = $"'{t}' is not a SIP URI of the form sip:user@host";
                return false;
            }

            var colon = t.IndexOf(':', StringComparison.Ordinal);
            normalized = t[..colon].ToLowerInvariant() + t[colon..];
            error = "";
            return true;
        }

        var number = PhoneSeparators().Replace(t, "");
        if (!E164().IsMatch(number))
        {
            error = $"'{t}' is neither an E.164 phone number (+ and 8 to 15 digits, e.g. +15551234567) nor a sip: URI";
            return false;
        }

        normalized = number;
        error = "";
        return true;
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"[\s\-\.\(\)]")]
    private static partial Regex PhoneSeparators();

    [GeneratedRegex(@"^sips?:[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+@[A-Za-z0-9\-.]+(:[0-9]{1,5})?(;[A-Za-z0-9\-_.=%]+)*$", RegexOptions.IgnoreCase)]
    private static partial Regex SipUri();
}
