using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>Credentials callers must present (inbound digest authentication, RFC 3261 22).</summary>
public sealed class SipDigestOptions
{
    /// <summary>The realm in our challenges [voicebridge].</summary>
    public string Realm { get; set; } = "voicebridge";

    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>How long a nonce we issued stays good; older ones get a fresh challenge with stale=true [5 min].</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>What checking a request's credentials found.</summary>
public enum SipDigestOutcome
{
    /// <summary>Credentials for our realm, right, on a live nonce.</summary>
    Accepted,

    /// <summary>No credentials for our realm: challenge.</summary>
    Missing,

    /// <summary>Right credentials on an expired (or already used) nonce: challenge again with stale=true.</summary>
    Stale,

    /// <summary>Wrong username, response, uri or a nonce we never issued.</summary>
    Rejected,
}

/// <summary>The outcome, and for <see cref="SipDigestOutcome.Rejected"/> what was wrong (safe to log; never the password).</summary>
public readonly record struct SipDigestVerdict(SipDigestOutcome Outcome, string? Reason = null);

/// <summary>
/// The server side of digest: issues nonces and checks credentials. A nonce is a timestamp and an
/// HMAC of it under a per-process secret, so any nonce we issued can be checked without keeping
/// it; only the highest nc seen per nonce is kept (bounded) so that a captured request cannot be
/// replayed while its nonce is live. Time comes from the injected clock.
/// </summary>
public sealed class SipDigestServer
{
    /// <summary>Nonces with a remembered nc; past this many live ones a new nonce is refused as stale rather than forgetting counts.</summary>
    public const int MaxTrackedNonces = 10_000;

    private const int TimestampBytes = 8;
    private const int MacBytes = 16;

    private readonly SipDigestOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _secret;
    private readonly Dictionary<string, (uint Count, long IssuedMs)> _counts = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public SipDigestServer(SipDigestOptions options, TimeProvider time, byte[]? secret = null)
    {
        _options = options;
        _time = time;
        _secret = secret ?? RandomNumberGenerator.GetBytes(32);
    }

    public string Realm => _options.Realm;

    /// <summary>A nonce for now: base64url(timestamp ms || HMAC-SHA256(secret, timestamp || realm)[..16]).</summary>
    public string NewNonce()
    {
        Span<byte> nonce = stackalloc byte[TimestampBytes + MacBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _time.GetUtcNow().ToUnixTimeMilliseconds());
        Mac(nonce[..TimestampBytes], nonce[TimestampBytes..]);
        return Convert.ToBase64String(nonce).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The WWW-Authenticate values to send: SHA-256 first, then MD5 (RFC 8760 2.4), one nonce, qop="auth".</summary>
    public IReadOnlyList<string> Challenges(bool stale)
    {
        var nonce = NewNonce();
        return
        [
            new SipDigestChallenge(_options.Realm, nonce, SipDigestAlgorithm.Sha256, QopAuth: true) { Stale = stale }.ToString(),
            new SipDigestChallenge(_options.Realm, nonce, SipDigestAlgorithm.Md5, QopAuth: true) { Stale = stale }.ToString(),
        ];
    }

    /// <summary>
    /// Checks the Authorization values of a request for <paramref name="method"/> to
    /// <paramref name="requestUri"/>: the one for our realm must name our user, the Request-URI
    /// (RFC 3261 22.4), a nonce we issued that is still live, qop=auth with an nc above any seen
    /// for that nonce, and the right response.
    /// </summary>
    public SipDigestVerdict Verify(IReadOnlyList<string> authorizations, string method, string requestUri)
    {
        SipDigestCredentials? credentials = null;
        string? parseError = null;
        foreach (var value in authorizations)
        {
            if (SipDigestCredentials.TryParse(value, out var parsed, out var error))
            {
                if (parsed!.Realm == _options.Realm)
                {
                    credentials = parsed;
                    break;
                }
            }
            else
            {
                parseError ??= error;
            }
        }

        if (credentials is null)
        {
            return parseError is null ? new(SipDigestOutcome.Missing) : new(SipDigestOutcome.Rejected, "malformed credentials: " + parseError);
        }

        if (!TryReadNonce(credentials.Nonce, out var issuedMs))
        {
            return new(SipDigestOutcome.Rejected, "a nonce we did not issue");
        }

        if (credentials.Qop is null)
        {
            return new(SipDigestOutcome.Rejected, "no qop=auth (we offer it; RFC 2069 digest is not accepted)");
        }

        if (!FixedEquals(credentials.Username, _options.Username))
        {
            return new(SipDigestOutcome.Rejected, $"unknown username {SipUri.Show(credentials.Username)}");
        }

        if (!credentials.Uri.Equals(requestUri, StringComparison.OrdinalIgnoreCase))
        {
            return new(SipDigestOutcome.Rejected, $"digest uri {SipUri.Show(credentials.Uri)} is not the Request-URI");
        }

        var expected = SipDigest.Response(credentials.Algorithm, _options.Username, _options.Realm, _options.Password, method, credentials.Uri, credentials.Nonce, "auth", credentials.NonceCount, credentials.Cnonce);
        if (!FixedEquals(credentials.Response.ToLowerInvariant(), expected))
        {
            return new(SipDigestOutcome.Rejected, "wrong response (password)");
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now - issuedMs > (long)_options.NonceLifetime.TotalMilliseconds)
        {
            return new(SipDigestOutcome.Stale);
        }

        return Count(credentials.Nonce, uint.Parse(credentials.NonceCount!, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), issuedMs, now)
            ? new(SipDigestOutcome.Accepted)
            : new(SipDigestOutcome.Stale);
    }

    /// <summary>Remembers nc for a nonce; false when it is not above the last one (a replay) or too many nonces are live.</summary>
    private bool Count(string nonce, uint nc, long issuedMs, long now)
    {
        lock (_gate)
        {
            if (_counts.TryGetValue(nonce, out var seen))
            {
                if (nc <= seen.Count)
                {
                    return false;
                }

                _counts[nonce] = (nc, issuedMs);
                return true;
            }

            if (_counts.Count >= MaxTrackedNonces)
            {
                var lifetime = (long)_options.NonceLifetime.TotalMilliseconds;
                foreach (var old in _counts.Where(c => now - c.Value.IssuedMs > lifetime).Select(c => c.Key).ToList())
                {
                    _counts.Remove(old);
                }

                if (_counts.Count >= MaxTrackedNonces)
                {
                    return false;
                }
            }

            _counts[nonce] = (nc, issuedMs);
            return true;
        }
    }

    private bool TryReadNonce(string nonce, out long issuedMs)
    {
        issuedMs = 0;
        // 24 bytes are exactly 32 base64 characters, no padding.
        Span<byte> bytes = stackalloc byte[TimestampBytes + MacBytes];
        if (nonce.Length != 32 || !Convert.TryFromBase64String(nonce.Replace('-', '+').Replace('_', '/'), bytes, out var written) || written != bytes.Length)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(bytes[..TimestampBytes], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes.Slice(TimestampBytes, MacBytes)))
        {
            return false;
        }

        issuedMs = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return true;
    }

    private void Mac(ReadOnlySpan<byte> timestamp, Span<byte> into)
    {
        var realm = Encoding.UTF8.GetBytes(_options.Realm);
        var input = new byte[timestamp.Length + realm.Length];
        timestamp.CopyTo(input);
        realm.CopyTo(input, timestamp.Length);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_secret, input, full);
        full[..MacBytes].CopyTo(into);
    }

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
