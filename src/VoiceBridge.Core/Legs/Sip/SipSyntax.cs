using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Character classes and small lexical helpers from the RFC 3261 section 25 grammar, shared by the
/// header, URI and parameter parsers. Every helper is linear in its input and never throws on bad text.
/// </summary>
internal static class SipSyntax
{
    /// <summary>token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~").</summary>
    public static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';

    /// <summary>word: token characters plus the separators a Call-ID may carry.</summary>
    public static bool IsWordChar(char c) =>
        IsTokenChar(c) || c is '(' or ')' or '<' or '>' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '{' or '}';

    /// <summary>unreserved = alphanum / mark.</summary>
    public static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')';

    /// <summary>user = 1*( unreserved / escaped / user-unreserved ).</summary>
    public static bool IsUserChar(char c) => IsUnreserved(c) || c is '&' or '=' or '+' or '$' or ',' or ';' or '?' or '/';

    /// <summary>password = *( unreserved / escaped / "&amp;" / "=" / "+" / "$" / "," ).</summary>
    public static bool IsPasswordChar(char c) => IsUnreserved(c) || c is '&' or '=' or '+' or '$' or ',';

    /// <summary>paramchar = param-unreserved / unreserved / escaped.</summary>
    public static bool IsParamChar(char c) => IsUnreserved(c) || c is '[' or ']' or '/' or ':' or '&' or '+' or '$';

    /// <summary>hname / hvalue characters: hnv-unreserved / unreserved / escaped.</summary>
    public static bool IsHeaderChar(char c) => IsUnreserved(c) || c is '[' or ']' or '/' or '?' or ':' or '+' or '$';

    /// <summary>uric = reserved / unreserved / escaped, for the opaque part of a non-SIP absoluteURI.</summary>
    public static bool IsUricChar(char c) => IsUnreserved(c) || c is ';' or '/' or '?' or ':' or '@' or '&' or '=' or '+' or '$' or ',' or '%' or '#';

    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsWhitespace(char c) => c is ' ' or '\t';

    /// <summary>Checks that every '%' starts a two-hex-digit escape and every other character is allowed.</summary>
    public static bool IsEscapedText(ReadOnlySpan<char> text, Func<char, bool> allowed)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
            else if (!allowed(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Decodes %HH escapes (already validated) into UTF-8 text; %00 becomes U+0000.</summary>
    public static string Unescape(string text)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                int n = new Rune(char.IsSurrogate(c) ? '?' : c).EncodeToUtf8(utf8);
                for (int k = 0; k < n; k++)
                {
                    bytes.Add(utf8[k]);
                }
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Escapes every UTF-8 byte of <paramref name="text"/> that <paramref name="allowed"/> rejects as %HH.</summary>
    public static string Escape(string text, Func<char, bool> allowed)
    {
        bool clean = true;
        foreach (char c in text)
        {
            clean &= c < 0x80 && allowed(c);
        }

        if (clean)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            char c = (char)b;
            if (b < 0x80 && allowed(c))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// host = hostname / IPv4address / IPv6reference. Underscores are tolerated in host names because
    /// container and cluster DNS names carry them, though RFC 1123 does not allow them.
    /// </summary>
    public static bool IsHost(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty)
        {
            return false;
        }

        if (host[0] == '[')
        {
            return host.Length > 2 && host[^1] == ']'
                && IPAddress.TryParse(host[1..^1], out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        foreach (char c in host)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses a decimal port 0-65535 (leading zeros allowed, at most 5 digits).</summary>
    public static bool TryParsePort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port <= 65535;
    }

    /// <summary>Parses 1*DIGIT into an unsigned value no larger than <paramref name="max"/>.</summary>
    public static bool TryParseDigits(ReadOnlySpan<char> text, ulong max, out ulong value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
            if (value > max)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Index just past a quoted-string starting at <paramref name="start"/> (on the opening quote), or -1 if unterminated.</summary>
    public static int SkipQuoted(ReadOnlySpan<char> text, int start)
    {
        for (int i = start + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\')
            {
                if (i + 1 >= text.Length || text[i + 1] is '\r' or '\n')
                {
                    return -1;
                }

                i++;
            }
            else if (c == '"')
            {
                return i + 1;
            }
            else if (c < ' ' && c != '\t')
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>Unquotes a validated quoted-string (with its quotes), resolving quoted-pairs.</summary>
    public static string Unquote(ReadOnlySpan<char> quoted)
    {
        var sb = new StringBuilder(quoted.Length);
        for (int i = 1; i < quoted.Length - 1; i++)
        {
            char c = quoted[i];
            if (c == '\\' && i + 1 < quoted.Length - 1)
            {
                i++;
                c = quoted[i];
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>Quotes text as a quoted-string, escaping '"', '\' and the control characters quoted-pair allows.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            if (c is '"' or '\\' || (c < ' ' && c is not '\t' and not '\r' and not '\n') || c == '\x7f')
            {
                sb.Append('\\');
            }

            sb.Append(c is '\r' or '\n' ? ' ' : c);
        }

        return sb.Append('"').ToString();
    }

    public static int SkipWhitespace(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && IsWhitespace(text[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>
    /// Splits a list header value on commas that are outside quoted strings and &lt;...&gt;. Pieces are
    /// trimmed; empty pieces are kept so that callers can reject them. Null when a quote or bracket is unbalanced.
    /// </summary>
    public static List<string>? SplitList(string value)
    {
        var parts = new List<string>();
        int start = 0;
        bool inAngle = false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '"')
            {
                int end = SkipQuoted(value, i);
                if (end < 0)
                {
                    return null;
                }

                i = end - 1;
            }
            else if (c == '<')
            {
                inAngle = true;
            }
            else if (c == '>')
            {
                inAngle = false;
            }
            else if (c == ',' && !inAngle)
            {
                parts.Add(value[start..i].Trim());
                start = i + 1;
            }
        }

        if (inAngle)
        {
            return null;
        }

        parts.Add(value[start..].Trim());
        return parts;
    }
}
