using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>The digest algorithms we speak: MD5 (what trunks use) and SHA-256 (RFC 8760 for SIP).</summary>
public enum SipDigestAlgorithm
{
    Md5,
    Sha256,
}

/// <summary>
/// HTTP digest as SIP uses it (RFC 3261 22.4 with RFC 2617/7616 and RFC 8760): the response
/// computation, and answering a challenge as a client. Pure: no clock, no I/O. Only
/// <c>qop=auth</c> (or no qop, RFC 2069 style) is computed: <c>auth-int</c> and the
/// <c>-sess</c> variants are not offered by SIP trunks in practice and are refused when parsed.
/// </summary>
public static class SipDigest
{
    /// <summary>The algorithm's name on the wire.</summary>
    public static string Name(SipDigestAlgorithm algorithm) => algorithm == SipDigestAlgorithm.Sha256 ? "SHA-256" : "MD5";

    /// <summary>Reads an algorithm name (case-insensitive); absent means MD5 (RFC 2617 3.2.1).</summary>
    public static bool TryParseAlgorithm(string? name, out SipDigestAlgorithm algorithm)
    {
        algorithm = SipDigestAlgorithm.Md5;
        if (name is null || name.Equals("MD5", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        algorithm = SipDigestAlgorithm.Sha256;
        return name.Equals("SHA-256", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The request-digest (RFC 7616 3.4.1): with <paramref name="qop"/> <c>auth</c>,
    /// H(H(A1):nonce:nc:cnonce:qop:H(A2)); without, H(H(A1):nonce:H(A2)); A1 = user:realm:password,
    /// A2 = method:uri. Lower-case hex.
    /// </summary>
    public static string Response(
        SipDigestAlgorithm algorithm,
        string username,
        string realm,
        string password,
        string method,
        string uri,
        string nonce,
        string? qop = null,
        string? nonceCount = null,
        string? cnonce = null)
    {
        var ha1 = Hash(algorithm, $"{username}:{realm}:{password}");
        var ha2 = Hash(algorithm, $"{method}:{uri}");
        return qop is null
            ? Hash(algorithm, $"{ha1}:{nonce}:{ha2}")
            : Hash(algorithm, $"{ha1}:{nonce}:{nonceCount}:{cnonce}:{qop}:{ha2}");
    }

    /// <summary>
    /// The credentials answering <paramref name="challenge"/> for a request: qop=auth with
    /// <paramref name="cnonce"/> and <paramref name="nonceCount"/> when the challenge offers it.
    /// </summary>
    public static SipDigestCredentials Answer(
        SipDigestChallenge challenge,
        string username,
        string password,
        string method,
        string uri,
        string cnonce,
        uint nonceCount)
    {
        var qop = challenge.QopAuth ? "auth" : null;
        var nc = challenge.QopAuth ? nonceCount.ToString("x8", CultureInfo.InvariantCulture) : null;
        var response = Response(challenge.Algorithm, username, challenge.Realm, password, method, uri, challenge.Nonce, qop, nc, challenge.QopAuth ? cnonce : null);
        return new SipDigestCredentials(username, challenge.Realm, challenge.Nonce, uri, response, challenge.Algorithm)
        {
            Qop = qop,
            NonceCount = nc,
            Cnonce = challenge.QopAuth ? cnonce : null,
            Opaque = challenge.Opaque,
        };
    }

    /// <summary>
    /// The challenge a client should answer among several (WWW-Authenticate or Proxy-Authenticate
    /// values): SHA-256 before MD5 (RFC 8760 2.4), the first of each; null with the reasons when
    /// none is usable.
    /// </summary>
    public static SipDigestChallenge? Choose(IReadOnlyList<string> headerValues, out string? error)
    {
        SipDigestChallenge? md5 = null;
        var reasons = new List<string>();
        foreach (var value in headerValues)
        {
            if (!SipDigestChallenge.TryParse(value, out var challenge, out var reason))
            {
                reasons.Add(reason!);
                continue;
            }

            if (challenge!.Algorithm == SipDigestAlgorithm.Sha256)
            {
                error = null;
                return challenge;
            }

            md5 ??= challenge;
        }

        error = md5 is null ? (reasons.Count == 0 ? "no challenge" : string.Join("; ", reasons)) : null;
        return md5;
    }

    /// <summary>A fresh client nonce: 16 random bytes, hex.</summary>
    public static string NewCnonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    internal static string Hash(SipDigestAlgorithm algorithm, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Convert.ToHexStringLower(algorithm == SipDigestAlgorithm.Sha256 ? SHA256.HashData(bytes) : MD5.HashData(bytes));
    }
}
