using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// A SIP or SIPS URI (RFC 3261 19.1), or any other absoluteURI kept opaque (<see cref="Opaque"/>) so that
/// unknown schemes (tel:, http:, urn:...) in a Request-URI or header can be carried and answered with the
/// right error by the layer above. User, password, parameter and header names and values are stored
/// unescaped (<c>%6C%72</c> is the parameter <c>lr</c>) and escaped again by <see cref="ToString"/>.
/// Host is kept as written; an IPv6 reference keeps its brackets. Equality is structural (host, scheme and
/// parameter names case-insensitive), not the full RFC 3261 19.1.4 comparison.
/// </summary>
public sealed record SipUri(
    string Scheme,
    string? User,
    string? Password,
    string Host,
    int? Port,
    IReadOnlyDictionary<string, string?> Parameters,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>For a non-SIP scheme, everything after "scheme:"; null for sip and sips.</summary>
    public string? Opaque { get; init; }

    /// <summary>True for the sip and sips schemes, whose structure this type understands.</summary>
    public bool IsSip => Opaque is null;

    /// <summary>The lr parameter: the element at this URI is a loose router (RFC 3261 16.12).</summary>
    public bool LooseRouting => SipParameters.TryGet<string?>(Parameters, "lr", out _);

    /// <summary>Builds a plain sip: URI with no parameters or headers.</summary>
    public static SipUri Sip(string? user, string host, int? port = null) =>
        new("sip", user, null, host, port, SipParameters.Empty(), new OrderedDictionary<string, string>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Parses a URI as it appears between angle brackets or in a Request-URI. Never throws.</summary>
    public static bool TryParse(string text, out SipUri? uri, out string? error)
    {
        uri = null;
        error = text is null ? "missing URI" : Parse(text, out uri);
        return error is null;
    }

    /// <summary>A copy with the parameter set (value null for a flag such as lr).</summary>
    public SipUri WithParameter(string name, string? value) => this with { Parameters = SipParameters.With(Parameters, name, value) };

    public override string ToString()
    {
        if (Opaque is not null)
        {
            return Scheme + ":" + Opaque;
        }

        var sb = new StringBuilder(64).Append(Scheme).Append(':');
        if (User is not null)
        {
            sb.Append(SipSyntax.Escape(User, SipSyntax.IsUserChar));
            if (Password is not null)
            {
                sb.Append(':').Append(SipSyntax.Escape(Password, SipSyntax.IsPasswordChar));
            }

            sb.Append('@');
        }

        sb.Append(Host);
        if (Port is int port)
        {
            sb.Append(':').Append(port);
        }

        foreach (KeyValuePair<string, string?> p in Parameters)
        {
            sb.Append(';').Append(SipSyntax.Escape(p.Key, SipSyntax.IsParamChar));
            if (p.Value is not null)
            {
                sb.Append('=').Append(SipSyntax.Escape(p.Value, SipSyntax.IsParamChar));
            }
        }

        char separator = '?';
        foreach (KeyValuePair<string, string> h in Headers)
        {
            sb.Append(separator).Append(SipSyntax.Escape(h.Key, SipSyntax.IsHeaderChar))
                .Append('=').Append(SipSyntax.Escape(h.Value, SipSyntax.IsHeaderChar));
            separator = '&';
        }

        return sb.ToString();
    }

    public bool Equals(SipUri? other) =>
        other is not null
        && string.Equals(Scheme, other.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(User, other.User, StringComparison.Ordinal)
        && string.Equals(Password, other.Password, StringComparison.Ordinal)
        && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase)
        && Port == other.Port
        && string.Equals(Opaque, other.Opaque, StringComparison.Ordinal)
        && SipParameters.AreEqual(Parameters, other.Parameters)
        && SipParameters.AreEqual(Headers, other.Headers);

    public override int GetHashCode() =>
        HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Scheme), User, StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port, Opaque, SipParameters.Hash(Parameters));

    private static string? Parse(string text, out SipUri? uri)
    {
        uri = null;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return $"URI {Show(text)} has no scheme";
        }

        string scheme = text[..colon];
        if (!char.IsAsciiLetter(scheme[0]) || scheme.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '+' and not '-' and not '.'))
        {
            return $"URI {Show(text)} has an invalid scheme";
        }

        string rest = text[(colon + 1)..];
        scheme = scheme.ToLowerInvariant();
        if (scheme is not "sip" and not "sips")
        {
            if (rest.Length == 0 || !SipSyntax.IsEscapedText(rest, SipSyntax.IsUricChar))
            {
                return $"URI {Show(text)} has invalid characters";
            }

            uri = new SipUri(scheme, null, null, string.Empty, null, SipParameters.Empty(), new OrderedDictionary<string, string>(StringComparer.OrdinalIgnoreCase)) { Opaque = rest };
            return null;
        }

        return ParseSip(text, scheme, rest, out uri);
    }

    private static string? ParseSip(string text, string scheme, string rest, out SipUri? uri)
    {
        uri = null;
        string? user = null;
        string? password = null;
        int at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (rest.IndexOf('@', at + 1) >= 0)
            {
                return $"URI {Show(text)} has more than one '@'";
            }

            string userInfo = rest[..at];
            int pw = userInfo.IndexOf(':', StringComparison.Ordinal);
            string rawUser = pw >= 0 ? userInfo[..pw] : userInfo;
            if (rawUser.Length == 0 || !SipSyntax.IsEscapedText(rawUser, SipSyntax.IsUserChar))
            {
                return $"URI {Show(text)} has an invalid user part";
            }

            if (pw >= 0)
            {
                string rawPassword = userInfo[(pw + 1)..];
                if (!SipSyntax.IsEscapedText(rawPassword, SipSyntax.IsPasswordChar))
                {
                    return $"URI {Show(text)} has an invalid password";
                }

                password = SipSyntax.Unescape(rawPassword);
            }

            user = SipSyntax.Unescape(rawUser);
            rest = rest[(at + 1)..];
        }

        int question = rest.IndexOf('?', StringComparison.Ordinal);
        string headerText = question >= 0 ? rest[(question + 1)..] : string.Empty;
        string beforeHeaders = question >= 0 ? rest[..question] : rest;
        int semi = beforeHeaders.IndexOf(';', StringComparison.Ordinal);
        string hostPort = semi >= 0 ? beforeHeaders[..semi] : beforeHeaders;
        string? error = ParseHostPort(hostPort, out string host, out int? port);
        if (error is not null)
        {
            return $"URI {Show(text)}: {error}";
        }

        var parameters = SipParameters.Empty();
        if (semi >= 0 && (error = ParseUriParameters(beforeHeaders[(semi + 1)..], parameters)) is not null)
        {
            return $"URI {Show(text)}: {error}";
        }

        var headers = new OrderedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (question >= 0 && (error = ParseUriHeaders(headerText, headers)) is not null)
        {
            return $"URI {Show(text)}: {error}";
        }

        uri = new SipUri(scheme, user, password, host, port, parameters, headers);
        return null;
    }

    private static string? ParseHostPort(string hostPort, out string host, out int? port)
    {
        port = null;
        int portColon = hostPort.StartsWith('[') ? hostPort.IndexOf("]:", StringComparison.Ordinal) + 1 : hostPort.IndexOf(':', StringComparison.Ordinal);
        host = portColon > 0 ? hostPort[..portColon] : hostPort;
        if (!SipSyntax.IsHost(host))
        {
            return $"invalid host {Show(host)}";
        }

        if (portColon > 0)
        {
            if (!SipSyntax.TryParsePort(hostPort.AsSpan(portColon + 1), out int value))
            {
                return $"invalid port {Show(hostPort[(portColon + 1)..])}";
            }

            port = value;
        }

        return null;
    }

    private static string? ParseUriParameters(string text, OrderedDictionary<string, string?> into)
    {
        foreach (string part in text.Split(';'))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string name = eq >= 0 ? part[..eq] : part;
            string? value = eq >= 0 ? part[(eq + 1)..] : null;
            if (name.Length == 0 || !SipSyntax.IsEscapedText(name, SipSyntax.IsParamChar)
                || (value is not null && (value.Length == 0 || !SipSyntax.IsEscapedText(value, SipSyntax.IsParamChar))))
            {
                return $"invalid parameter {Show(part)}";
            }

            string decoded = SipSyntax.Unescape(name);
            if (!into.TryAdd(decoded, value is null ? null : SipSyntax.Unescape(value)))
            {
                return $"duplicate parameter {Show(decoded)}";
            }
        }

        return null;
    }

    private static string? ParseUriHeaders(string text, OrderedDictionary<string, string> into)
    {
        foreach (string part in text.Split('&'))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !SipSyntax.IsEscapedText(part.AsSpan(0, eq), SipSyntax.IsHeaderChar)
                || !SipSyntax.IsEscapedText(part.AsSpan(eq + 1), SipSyntax.IsHeaderChar))
            {
                return $"invalid header {Show(part)}";
            }

            string name = SipSyntax.Unescape(part[..eq]);
            if (!into.TryAdd(name, SipSyntax.Unescape(part[(eq + 1)..])))
            {
                return $"duplicate header {Show(name)}";
            }
        }

        return null;
    }

    /// <summary>
    /// Quotes a fragment of untrusted text for an error message, cut short so errors stay small.
    /// Control characters become '?' so that an error is safe to log or to put in a reason phrase.
    /// </summary>
    internal static string Show(string text)
    {
        string cut = text.Length <= 80 ? text : text[..77] + "...";
        return "\"" + string.Create(cut.Length, cut, static (span, source) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        }) + "\"";
    }
}
