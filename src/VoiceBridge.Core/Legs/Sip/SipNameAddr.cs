using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// A From, To, Contact, Route or Record-Route value: <c>[display-name] &lt;uri&gt; *(;param)</c> or the bare
/// addr-spec form <c>uri *(;param)</c>, where the parameters belong to the header, not the URI (RFC 3261 20).
/// DisplayName is unquoted (quoted-pairs resolved); parameter values stay as written. ToString always uses
/// the angle-bracket form, which is equivalent and cannot be misread.
/// </summary>
public sealed record SipNameAddr(string? DisplayName, SipUri Uri, IReadOnlyDictionary<string, string?> Parameters)
{
    /// <summary>The tag parameter that identifies a dialog's side (RFC 3261 19.3).</summary>
    public string? Tag => SipParameters.TryGet<string?>(Parameters, "tag", out string? tag) ? tag : null;

    /// <summary>Parses one value (already split from a list). Never throws.</summary>
    public static bool TryParse(string text, out SipNameAddr? value, out string? error)
    {
        value = null;
        error = text is null ? "missing value" : Parse(text.Trim(), out value);
        return error is null;
    }

    /// <summary>A copy with the tag parameter set.</summary>
    public SipNameAddr WithTag(string tag)
    {
        if (!SipSyntax.IsToken(tag))
        {
            throw new ArgumentException($"tag {SipUri.Show(tag)} is not a token", nameof(tag));
        }

        return this with { Parameters = SipParameters.With(Parameters, "tag", tag) };
    }

    public override string ToString()
    {
        var sb = new StringBuilder(64);
        if (DisplayName is not null)
        {
            sb.Append(SipSyntax.Quote(DisplayName)).Append(' ');
        }

        sb.Append('<').Append(Uri).Append('>');
        SipParameters.Append(sb, Parameters);
        return sb.ToString();
    }

    public bool Equals(SipNameAddr? other) =>
        other is not null
        && string.Equals(DisplayName, other.DisplayName, StringComparison.Ordinal)
        && Uri.Equals(other.Uri)
        && SipParameters.AreEqual(Parameters, other.Parameters);

    public override int GetHashCode() => HashCode.Combine(DisplayName, Uri, SipParameters.Hash(Parameters));

    private static string? Parse(string text, out SipNameAddr? value)
    {
        value = null;
        if (text.Length == 0)
        {
            return "empty address";
        }

        int angle = FindNameAddrStart(text, out string? displayName, out string? error);
        if (error is not null)
        {
            return error;
        }

        string uriText;
        int paramStart;
        if (angle >= 0)
        {
            int close = text.IndexOf('>', angle);
            if (close < 0)
            {
                return "missing '>'";
            }

            uriText = text[(angle + 1)..close];
            if (uriText.Any(c => c is ' ' or '\t'))
            {
                return $"whitespace inside <> in {SipUri.Show(uriText)}";
            }

            paramStart = close + 1;
        }
        else
        {
            paramStart = 0;
            while (paramStart < text.Length && text[paramStart] is not ';' and not ' ' and not '\t')
            {
                paramStart++;
            }

            uriText = text[..paramStart];
            if (uriText.IndexOfAny(['?', ',', '"', '<', '>']) >= 0)
            {
                return $"URI {SipUri.Show(uriText)} must be enclosed in <> (it has '?', ',' or quotes)";
            }
        }

        if (!SipUri.TryParse(uriText, out SipUri? uri, out error))
        {
            return error;
        }

        var parameters = SipParameters.Empty();
        error = SipParameters.Parse(text, paramStart, lenient: false, parameters);
        if (error is not null)
        {
            return error;
        }

        value = new SipNameAddr(displayName, uri!, parameters);
        return null;
    }

    /// <summary>
    /// Finds the '&lt;' of the name-addr form and reads the display name before it; -1 for the addr-spec form.
    /// A display name is a quoted-string or a sequence of tokens separated by LWS.
    /// </summary>
    private static int FindNameAddrStart(string text, out string? displayName, out string? error)
    {
        displayName = null;
        error = null;
        if (text[0] == '"')
        {
            int end = SipSyntax.SkipQuoted(text, 0);
            if (end < 0)
            {
                error = "unterminated quoted display name";
                return -1;
            }

            int lt = SipSyntax.SkipWhitespace(text, end);
            if (lt >= text.Length || text[lt] != '<')
            {
                error = "quoted display name not followed by <uri>";
                return -1;
            }

            displayName = SipSyntax.Unquote(text.AsSpan(0, end));
            return lt;
        }

        int angle = text.IndexOf('<', StringComparison.Ordinal);
        int semi = text.IndexOf(';', StringComparison.Ordinal);
        if (angle < 0 || (semi >= 0 && semi < angle))
        {
            return -1;
        }

        string[] words = text[..angle].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        foreach (string word in words)
        {
            if (!SipSyntax.IsToken(word))
            {
                error = $"display name {SipUri.Show(text[..angle].Trim())} has characters that need quotes";
                return -1;
            }
        }

        displayName = words.Length == 0 ? null : string.Join(' ', words);
        return angle;
    }
}
