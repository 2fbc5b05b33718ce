using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace VoiceBridge.Security;

/// <summary>
/// Checks JWT bearer tokens (RFC 7519) for WHIP and the admin API, as an alternative to a static
/// token: the signature against one key (<c>--jwt-key FILE</c>: an HMAC secret of at least 32 bytes,
/// or an RSA or EC public key in PEM), only the algorithms of that key's family (no <c>none</c>, no
/// HMAC with a public key), the lifetime on the injected clock (an <c>exp</c> is required, 30 s
/// of skew), and the issuer and audience when configured. Keys are never fetched from the network.
/// Thread-safe.
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
    {
        KeyKind = key switch
        {
            SymmetricSecurityKey => "HMAC secret",
            RsaSecurityKey => "RSA public key",
            _ => "EC public key",
        };
        Issuer = issuer;
        Audience = audience;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = key,
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
            if (rsa.KeySize < 2048)
            {
                error = $"{source}: an RSA key must be at least 2048 bits (it is {rsa.KeySize})";
                rsa.Dispose();
                return null;
            }

            return new JwtBearerValidator(new RsaSecurityKey(rsa), RsaAlgorithms, issuer, audience, time);
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
