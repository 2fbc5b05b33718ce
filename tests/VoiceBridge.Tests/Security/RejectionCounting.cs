using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using VoiceBridge.Operations;

namespace VoiceBridge.Tests.Security;

/// <summary>
/// Tests that assert exact deltas of the process-wide <see cref="Rejections"/> totals run in this
/// collection, alone (after the parallel ones), so no other test's refusals land in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RejectionCounting
{
    public const string Name = "Rejection counting";

    /// <summary>Runs <paramref name="body"/> and returns how many refusals of <paramref name="kind"/> it caused.</summary>
    public static async Task<long> CountAsync(string kind, Func<Task> body)
    {
        long before = Rejections.Total(kind);
        await body();
        return Rejections.Total(kind) - before;
    }
}

/// <summary>Mints test JWTs (HS256 with <see cref="Secret"/>, or any key) at a given time.</summary>
internal static class TestJwt
{
    public const string Secret = "test-secret-for-hs256-0123456789abcdef";
    public const string Issuer = "https://issuer.example.com";
    public const string Audience = "voicebridge";

    public static SigningCredentials Hmac(string secret = Secret) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);

    public static string Create(DateTimeOffset now, SigningCredentials? credentials = null, TimeSpan? lifetime = null, string? scope = null, string issuer = Issuer, string audience = Audience)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "tester" };
        if (scope is not null)
        {
            claims["scope"] = scope;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.UtcDateTime + (lifetime ?? TimeSpan.FromMinutes(5)),
            Claims = claims,
            SigningCredentials = credentials ?? Hmac(),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An RSA key pair: the private key signs, the PEM is the public key the bridge is given.</summary>
    public static (SigningCredentials Signing, string PublicPem) Rsa()
    {
        var rsa = RSA.Create(2048);
        return (new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256), rsa.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>An EC P-256 key pair.</summary>
    public static (SigningCredentials Signing, string PublicPem) Ec()
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (new SigningCredentials(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256), ec.ExportSubjectPublicKeyInfoPem());
    }
}
