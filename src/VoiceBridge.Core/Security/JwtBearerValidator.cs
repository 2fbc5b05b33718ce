using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VoiceBridge.Security;

/// <summary>
/// Checks JWT bearer tokens (RFC 7519) for WHIP and the admin API, as an alternative to a static
/// token: the signature against the configured key (<c>--jwt-key FILE</c>: an HMAC secret of at
/// least 32 bytes, an RSA or EC public key in PEM, or the issuer's JSON Web Key Set, whose keys a
/// token picks by <c>kid</c>, so an issuer can roll its keys), only the algorithms of those keys'
/// families (no <c>none</c>, no HMAC with a public key), the lifetime on the injected clock (an
/// <c>exp</c> is required, 30 s of skew), and the issuer and audience when configured. Keys are never
/// fetched from the network: save the issuer's <c>jwks_uri</c> document to the file. Thread-safe.
/// </summary>
public sealed class JwtBearerValidator
{
    /// <summary>The shortest HMAC secret taken: HS256 needs 256 bits.</summary>
    public const int MinSecretBytes = 32;

    /// <summary>The longest token looked at (a header is far below; bigger is an attack).</summary>
    public const int MaxTokenBytes = 16 * 1024;

    private static readonly string[] HmacAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];
    private static readonly string[] RsaAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
    ];

    private static readonly string[] EcAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512];
    private static readonly string[] ScopeClaims = ["scope", "scp", "roles", "role"];

    /// <summary>How far the issuer's clock and ours may disagree.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenBytes };
    private readonly TokenValidationParameters _parameters;

    private JwtBearerValidator(SecurityKey key, string[] algorithms, string? issuer, string? audience, TimeProvider time)
        : this([key], algorithms, key switch
        {
            SymmetricSecurityKey => "HMAC secret",
            RsaSecurityKey => "RSA public key",
            _ => "EC public key",
        }, issuer, audience, time)
    {
    }

    private JwtBearerValidator(IReadOnlyList<SecurityKey> keys, string[] algorithms, string keyKind, string? issuer, string? audience, TimeProvider time)
    {
        KeyKind = keyKind;
        Issuer = issuer;
        Audience = audience;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = algorithms,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            LifetimeValidator = (notBefore, expires, _, _) => CheckLifetime(notBefore, expires, time),
            ValidateIssuer = issuer is not null,
            ValidIssuer = issuer,
            ValidateAudience = audience is not null,
            ValidAudience = audience,
        };
    }

    /// <summary>What the key is, for the start-up log (never the key).</summary>
    public string KeyKind { get; }

    public string? Issuer { get; }

    public string? Audience { get; }

    /// <summary>
    /// A validator for the key in <paramref name="keyText"/> (a PEM public key, else the secret itself, trimmed),
    /// or null with <paramref name="error"/> naming the problem. <paramref name="source"/> names the key in errors.
    /// </summary>
    public static JwtBearerValidator? Create(string keyText, string? issuer, string? audience, TimeProvider time, string source, out string? error)
    {
        ArgumentNullException.ThrowIfNull(keyText);
        ArgumentNullException.ThrowIfNull(time);
        error = null;
        if (keyText.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            error = $"{source} holds a private key: give the bridge the public key only (it checks tokens, it does not sign them)";
            return null;
        }

        if (keyText.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return FromPem(keyText, issuer, audience, time, source, out error);
        }

        if (keyText.TrimStart().StartsWith('{'))
        {
            return FromKeySet(keyText, issuer, audience, time, source, out error);
        }

        byte[] secret = Encoding.UTF8.GetBytes(keyText.Trim());
        if (secret.Length < MinSecretBytes)
        {
            error = $"{source}: an HMAC secret must be at least {MinSecretBytes} bytes (it is {secret.Length})";
            return null;
        }

        return new JwtBearerValidator(new SymmetricSecurityKey(secret), HmacAlgorithms, issuer, audience, time);
    }

    /// <summary>
    /// Checks <paramref name="token"/> and, when <paramref name="requiredScope"/> is set, that one of its
    /// <c>scope</c>/<c>scp</c> (space-separated) or <c>roles</c>/<c>role</c> claims holds it. Null when the
    /// token is good, else why not in a few words (never the token). Never throws on a bad token.
    /// </summary>
    public async Task<string?> ProblemAsync(string token, string? requiredScope)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length > MaxTokenBytes)
        {
            return $"the token is over {MaxTokenBytes} bytes";
        }

        TokenValidationResult result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            return Reason(result.Exception);
        }

        if (requiredScope is not null && !HasScope(result.ClaimsIdentity, requiredScope))
        {
            return $"the token lacks the scope or role '{requiredScope}'";
        }

        return null;
    }

    private static JwtBearerValidator? FromPem(string pem, string? issuer, string? audience, TimeProvider time, string source, out string? error)
    {
        error = null;
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return LargeEnough(rsa, source, out error) is { } key ? new JwtBearerValidator(key, RsaAlgorithms, issuer, audience, time) : null;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }

        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return new JwtBearerValidator(new ECDsaSecurityKey(ec), EcAlgorithms, issuer, audience, time);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ec.Dispose();
            error = $"{source} is neither an RSA nor an EC public key in PEM (-----BEGIN PUBLIC KEY-----)";
            return null;
        }
    }

    /// <summary>A JSON Web Key Set (RFC 7517 section 5): RSA (2048 bits or more) and EC public signing keys, each with its <c>kid</c>.</summary>
    private static JwtBearerValidator? FromKeySet(string json, string? issuer, string? audience, TimeProvider time, string source, out string? error)
    {
        error = null;
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            error = $"{source} starts like JSON but is not a JSON Web Key Set ({{\"keys\":[...]}}): {e.Message}";
            return null;
        }

        var keys = new List<SecurityKey>();
        var algorithms = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < set.Keys.Count; i++)
        {
            var key = set.Keys[i];
            var name = string.IsNullOrEmpty(key.Kid) ? $"key {i + 1}" : $"key '{key.Kid}'";
            if (key.Use is { Length: > 0 } use && use != JsonWebKeyUseNames.Sig)
            {
                continue;
            }

            if (string.IsNullOrEmpty(key.Kid) && set.Keys.Count > 1)
            {
                error = $"{source}: {name} has no kid; with several keys each needs one (a token names its key by kid)";
                return null;
            }

            if (key.HasPrivateKey)
            {
                error = $"{source}: {name} holds a private key: give the bridge the public keys only (it checks tokens, it does not sign them)";
                return null;
            }

            if (PublicKeyOf(key, $"{source}: {name}", out error) is not { } publicKey)
            {
                return null;
            }

            algorithms.UnionWith(publicKey is RsaSecurityKey ? RsaAlgorithms : EcAlgorithms);
            keys.Add(publicKey);
        }

        if (keys.Count == 0)
        {
            error = $"{source}: the key set has no signing key";
            return null;
        }

        return new JwtBearerValidator(keys, [.. algorithms], $"JSON Web Key Set ({keys.Count} key{(keys.Count == 1 ? "" : "s")})", issuer, audience, time);
    }

    /// <summary>The RSA or EC public key a JWK describes, imported (so a malformed one is refused here, not at the first token), with its kid.</summary>
    private static SecurityKey? PublicKeyOf(JsonWebKey key, string name, out string? error)
    {
        error = null;
        try
        {
            switch (key.Kty)
            {
                case JsonWebAlgorithmsKeyTypes.RSA:
                    var rsa = RSA.Create();
                    rsa.ImportParameters(new RSAParameters { Modulus = Base64UrlEncoder.DecodeBytes(key.N), Exponent = Base64UrlEncoder.DecodeBytes(key.E) });
                    if (LargeEnough(rsa, name, out error) is not { } rsaKey)
                    {
                        return null;
                    }

                    rsaKey.KeyId = key.Kid;
                    return rsaKey;
                case JsonWebAlgorithmsKeyTypes.EllipticCurve:
                    ECCurve? curve = key.Crv switch
                    {
                        "P-256" => ECCurve.NamedCurves.nistP256,
                        "P-384" => ECCurve.NamedCurves.nistP384,
                        "P-521" => ECCurve.NamedCurves.nistP521,
                        _ => null,
                    };
                    if (curve is null)
                    {
                        error = $"{name}: curve '{key.Crv}' is not one of P-256, P-384, P-521";
                        return null;
                    }

                    var ec = ECDsa.Create();
                    ec.ImportParameters(new ECParameters { Curve = curve.Value, Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(key.X), Y = Base64UrlEncoder.DecodeBytes(key.Y) } });
                    return new ECDsaSecurityKey(ec) { KeyId = key.Kid };
                default:
                    error = $"{name} is of type '{key.Kty}': a key set may hold RSA and EC public keys only (an HMAC secret goes in a file of its own)";
                    return null;
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException or CryptographicException)
        {
            error = $"{name} is not a valid {key.Kty} public key ({e.GetType().Name})";
            return null;
        }
    }

    /// <summary>The imported RSA key as a signing key when it has at least 2048 bits; else it is disposed and <paramref name="error"/> says why.</summary>
    private static RsaSecurityKey? LargeEnough(RSA rsa, string name, out string? error)
    {
        error = null;
        if (rsa.KeySize >= 2048)
        {
            return new RsaSecurityKey(rsa);
        }

        error = $"{name}: an RSA key must be at least 2048 bits (it is {rsa.KeySize})";
        rsa.Dispose();
        return null;
    }

    // The library's own lifetime check reads the system clock; this one reads the injected clock.
    private static bool CheckLifetime(DateTime? notBefore, DateTime? expires, TimeProvider time)
    {
        DateTime now = time.GetUtcNow().UtcDateTime;
        if (expires is not { } exp)
        {
            throw new SecurityTokenNoExpirationException("no exp");
        }

        if (now - ClockSkew >= exp.ToUniversalTime())
        {
            throw new SecurityTokenExpiredException("expired");
        }

        if (notBefore is { } nbf && now + ClockSkew < nbf.ToUniversalTime())
        {
            throw new SecurityTokenNotYetValidException("not yet valid");
        }

        return true;
    }

    private static bool HasScope(ClaimsIdentity? identity, string required) =>
        identity is not null && identity.Claims.Any(c =>
            ScopeClaims.Contains(c.Type, StringComparer.Ordinal)
            && c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(required, StringComparer.Ordinal));

    private static string Reason(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenNoExpirationException => "the token has no expiry (exp)",
        SecurityTokenInvalidIssuerException => "the token's issuer is not the one configured",
        SecurityTokenInvalidAudienceException => "the token's audience is not the one configured",
        SecurityTokenInvalidAlgorithmException => "the token's algorithm is not allowed for this key",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature does not verify",
        _ => "the token is not a valid JWT",
    };
}
