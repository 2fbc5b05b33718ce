using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// A digest challenge (WWW-Authenticate / Proxy-Authenticate, RFC 7616 3.3): realm, nonce,
/// algorithm, whether <c>qop=auth</c> is offered, stale, opaque. Unknown parameters (domain,
/// charset, userhash...) are ignored; a challenge we cannot answer (another algorithm, only
/// <c>auth-int</c>) is refused by <see cref="TryParse"/> with the reason.
/// </summary>
public sealed record SipDigestChallenge(string Realm, string Nonce, SipDigestAlgorithm Algorithm, bool QopAuth)
{
    /// <summary>The nonce was good but has expired: answer again without asking for new credentials (RFC 7616 3.3).</summary>
    public bool Stale { get; init; }

    public string? Opaque { get; init; }

    /// <summary>Parses a header value; never throws.</summary>
    public static bool TryParse(string value, out SipDigestChallenge? challenge, out string? error)
    {
        challenge = null;
        error = SipDigestParameters.Parse(value ?? "", out var p);
        if (error is not null)
        {
            return false;
        }

        if (!p.TryGetValue("realm", out var realm) || !p.TryGetValue("nonce", out var nonce) || nonce.Length == 0)
        {
            error = "challenge lacks realm or nonce";
            return false;
        }

        p.TryGetValue("algorithm", out var algorithmName);
        if (!SipDigest.TryParseAlgorithm(algorithmName, out var algorithm))
        {
            error = $"algorithm {SipUri.Show(algorithmName!)} is not supported (MD5, SHA-256)";
            return false;
        }

        var qopAuth = false;
        if (p.TryGetValue("qop", out var qop))
        {
            qopAuth = qop.Split(',').Any(q => q.Trim().Equals("auth", StringComparison.OrdinalIgnoreCase));
            if (!qopAuth)
            {
                error = $"qop {SipUri.Show(qop)} does not offer auth";
                return false;
            }
        }

        challenge = new SipDigestChallenge(realm, nonce, algorithm, qopAuth)
        {
            Stale = p.TryGetValue("stale", out var stale) && stale.Equals("true", StringComparison.OrdinalIgnoreCase),
            Opaque = p.GetValueOrDefault("opaque"),
        };
        return true;
    }

    /// <summary>The header value: <c>Digest realm="..", nonce="..", algorithm=.., qop="auth"[, stale=TRUE][, opaque=".."]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Digest realm=").Append(SipSyntax.Quote(Realm))
            .Append(", nonce=").Append(SipSyntax.Quote(Nonce))
            .Append(", algorithm=").Append(SipDigest.Name(Algorithm));
        if (QopAuth)
        {
            sb.Append(", qop=\"auth\"");
        }

        if (Stale)
        {
            sb.Append(", stale=TRUE");
        }

        if (Opaque is not null)
        {
            sb.Append(", opaque=").Append(SipSyntax.Quote(Opaque));
        }

        return sb.ToString();
    }
}

/// <summary>
/// Digest credentials (Authorization / Proxy-Authorization, RFC 7616 3.4). <see cref="TryParse"/>
/// checks the shape (username, realm, nonce, uri, response present; qop only <c>auth</c> with
/// cnonce and an 8-hex-digit nc); whether they are right is <see cref="SipDigestServer"/>'s call.
/// </summary>
public sealed record SipDigestCredentials(string Username, string Realm, string Nonce, string Uri, string Response, SipDigestAlgorithm Algorithm)
{
    public string? Qop { get; init; }

    /// <summary>nc: 8 hex digits, the count of requests the client made with this nonce.</summary>
    public string? NonceCount { get; init; }

    public string? Cnonce { get; init; }

    public string? Opaque { get; init; }

    /// <summary>Parses a header value; never throws.</summary>
    public static bool TryParse(string value, out SipDigestCredentials? credentials, out string? error)
    {
        credentials = null;
        error = SipDigestParameters.Parse(value ?? "", out var p);
        if (error is not null)
        {
            return false;
        }

        foreach (var required in (string[])["username", "realm", "nonce", "uri", "response"])
        {
            if (!p.ContainsKey(required))
            {
                error = $"credentials lack {required}";
                return false;
            }
        }

        p.TryGetValue("algorithm", out var algorithmName);
        if (!SipDigest.TryParseAlgorithm(algorithmName, out var algorithm))
        {
            error = $"algorithm {SipUri.Show(algorithmName!)} is not supported (MD5, SHA-256)";
            return false;
        }

        var qop = p.GetValueOrDefault("qop");
        var nc = p.GetValueOrDefault("nc");
        var cnonce = p.GetValueOrDefault("cnonce");
        if (qop is not null && (!qop.Equals("auth", StringComparison.OrdinalIgnoreCase) || cnonce is not { Length: > 0 } || nc is not { Length: 8 } || !nc.All(char.IsAsciiHexDigit)))
        {
            error = qop.Equals("auth", StringComparison.OrdinalIgnoreCase) ? "qop=auth needs cnonce and an 8-hex-digit nc" : $"qop {SipUri.Show(qop)} is not supported (auth)";
            return false;
        }

        credentials = new SipDigestCredentials(p["username"], p["realm"], p["nonce"], p["uri"], p["response"], algorithm)
        {
            Qop = qop is null ? null : "auth",
            NonceCount = nc,
            Cnonce = cnonce,
            Opaque = p.GetValueOrDefault("opaque"),
        };
        return true;
    }

    /// <summary>The header value, quoting what RFC 7616 quotes (algorithm, qop and nc are tokens).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Digest username=").Append(SipSyntax.Quote(Username))
            .Append(", realm=").Append(SipSyntax.Quote(Realm))
            .Append(", nonce=").Append(SipSyntax.Quote(Nonce))
            .Append(", uri=").Append(SipSyntax.Quote(Uri))
            .Append(", response=").Append(SipSyntax.Quote(Response))
            .Append(", algorithm=").Append(SipDigest.Name(Algorithm));
        if (Qop is not null)
        {
            sb.Append(", cnonce=").Append(SipSyntax.Quote(Cnonce ?? "")).Append(", qop=").Append(Qop).Append(", nc=").Append(NonceCount);
        }

        if (Opaque is not null)
        {
            sb.Append(", opaque=").Append(SipSyntax.Quote(Opaque));
        }

        return sb.ToString();
    }
}
