namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Reads <c>Digest name=value, name="quoted", ...</c> (RFC 7616 3.3/3.4, RFC 3261 25.1
/// <c>challenge</c> and <c>credentials</c>): the scheme, then comma-separated parameters whose
/// values are tokens or quoted strings; empty list elements and unknown parameters are allowed,
/// a repeated parameter is not. Bounded: a header of at most <see cref="MaxLength"/> characters
/// and <see cref="MaxParameters"/> parameters. Never throws.
/// </summary>
internal static class SipDigestParameters
{
    public const int MaxLength = 4096;
    public const int MaxParameters = 32;

    /// <summary>The parameters by lower-cased name, or an error naming what is wrong.</summary>
    public static string? Parse(string value, out Dictionary<string, string> parameters)
    {
        parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value.Length > MaxLength)
        {
            return $"digest header of {value.Length} characters is longer than {MaxLength}";
        }

        var text = value.AsSpan();
        var i = SipSyntax.SkipWhitespace(text, 0);
        var schemeStart = i;
        while (i < text.Length && SipSyntax.IsTokenChar(text[i]))
        {
            i++;
        }

        var scheme = text[schemeStart..i];
        if (!scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
        {
            return scheme.Length == 0 ? "missing auth scheme" : $"auth scheme {SipUri.Show(scheme.ToString())} is not Digest";
        }

        if (i < text.Length && !SipSyntax.IsWhitespace(text[i]))
        {
            return $"unexpected {SipUri.Show(text[i].ToString())} after the auth scheme";
        }

        while (true)
        {
            i = SipSyntax.SkipWhitespace(text, i);
            if (i >= text.Length)
            {
                return parameters.Count == 0 ? "Digest has no parameters" : null;
            }

            if (text[i] == ',')
            {
                i++;
                continue;
            }

            var nameStart = i;
            while (i < text.Length && SipSyntax.IsTokenChar(text[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                return $"expected a parameter name at {SipUri.Show(text[nameStart..].ToString())}";
            }

            var name = text[nameStart..i].ToString().ToLowerInvariant();
            i = SipSyntax.SkipWhitespace(text, i);
            if (i >= text.Length || text[i] != '=')
            {
                return $"parameter {SipUri.Show(name)} has no '=' and value";
            }

            i = SipSyntax.SkipWhitespace(text, i + 1);
            if (ReadValue(text, ref i, name, out var parameterValue) is { } error)
            {
                return error;
            }

            if (parameters.Count >= MaxParameters)
            {
                return $"more than {MaxParameters} digest parameters";
            }

            if (!parameters.TryAdd(name, parameterValue))
            {
                return $"parameter {SipUri.Show(name)} appears twice";
            }

            i = SipSyntax.SkipWhitespace(text, i);
            if (i < text.Length && text[i] != ',')
            {
                return $"expected ',' after parameter {SipUri.Show(name)}";
            }
        }
    }

    private static string? ReadValue(ReadOnlySpan<char> text, ref int i, string name, out string value)
    {
        value = "";
        if (i < text.Length && text[i] == '"')
        {
            var end = SipSyntax.SkipQuoted(text, i);
            if (end < 0)
            {
                return $"parameter {SipUri.Show(name)} has an unterminated quoted string";
            }

            value = SipSyntax.Unquote(text[i..end]);
            i = end;
            return null;
        }

        // A token; lenient about the base64 characters '/', '+' and '=' that some peers leave unquoted.
        var start = i;
        while (i < text.Length && (SipSyntax.IsTokenChar(text[i]) || text[i] is '/' or '+' or '=' or ':'))
        {
            i++;
        }

        if (i == start)
        {
            return $"parameter {SipUri.Show(name)} has no value";
        }

        value = text[start..i].ToString();
        return null;
    }
}
