using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Security;

namespace VoiceBridge.Tests.Security;

/// <summary>
/// The JWT check on its own, on a fake clock far from the machine's: HMAC, RSA and EC keys; the
/// lifetime read from the injected clock; issuer, audience, scope; and the tokens and keys refused.
/// </summary>
public sealed class JwtBearerValidatorTests
{
    private static readonly DateTimeOffset Now = new(2031, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Hmac_rsa_and_ec_tokens_verify_with_their_keys_and_not_with_another()
    {
        var time = new FakeTimeProvider(Now);
        var (rsaSigning, rsaPem) = TestJwt.Rsa();
        var (ecSigning, ecPem) = TestJwt.Ec();
        var hmac = Validator(TestJwt.Secret, time);
        var rsa = Validator(rsaPem, time);
        var ec = Validator(ecPem, time);

        Assert.Null(await hmac.ProblemAsync(TestJwt.Create(Now), null));
        Assert.Null(await rsa.ProblemAsync(TestJwt.Create(Now, rsaSigning), null));
        Assert.Null(await ec.ProblemAsync(TestJwt.Create(Now, ecSigning), null));
        Assert.Equal("RSA public key", rsa.KeyKind);
        Assert.Equal("EC public key", ec.KeyKind);

        Assert.Equal("the token's signature does not verify", await hmac.ProblemAsync(TestJwt.Create(Now, TestJwt.Hmac(TestJwt.Secret + "x")), null));
        Assert.NotNull(await rsa.ProblemAsync(TestJwt.Create(Now, TestJwt.Rsa().Signing), null));
        Assert.NotNull(await ec.ProblemAsync(TestJwt.Create(Now), null));
    }

    [Fact]
    public async Task A_key_set_takes_tokens_from_each_of_its_keys_by_kid_and_refuses_a_key_it_does_not_hold()
    {
        var time = new FakeTimeProvider(Now);
        var (oldSigning, oldKey) = KeyedRsa("2031-04");
        var (newSigning, newKey) = KeyedEc("2031-05");
        var (strangerSigning, _) = KeyedRsa("2031-04");
        var json = $$"""{"keys":[{{System.Text.Json.JsonSerializer.Serialize(oldKey)}},{{System.Text.Json.JsonSerializer.Serialize(newKey)}}]}""";
        var validator = JwtBearerValidator.Create(json, null, null, time, "jwks.json", out var error);

        Assert.True(validator is not null, error);
        Assert.Equal("JSON Web Key Set (2 keys)", validator!.KeyKind);
        Assert.Null(await validator.ProblemAsync(TestJwt.Create(Now, oldSigning), null));
        Assert.Null(await validator.ProblemAsync(TestJwt.Create(Now, newSigning), null));
        Assert.Equal("the token's signature does not verify", await validator.ProblemAsync(TestJwt.Create(Now, strangerSigning), null));
        Assert.NotNull(await validator.ProblemAsync(TestJwt.Create(Now), null));
    }

    [Theory]
    [InlineData("""{"keys":[]}""", "has no signing key")]
    [InlineData("""{"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0"}]}""", "is of type 'oct'")]
    [InlineData("""{"keys": nope""", "not a JSON Web Key Set")]
    public void Key_sets_without_a_usable_public_key_are_refused_naming_the_problem(string json, string problem)
    {
        Assert.Null(JwtBearerValidator.Create(json, null, null, TimeProvider.System, "jwks.json", out var error));
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{}")]
    [InlineData("""{"keys":{}}""")]
    [InlineData("""{"keys":[1,"x",null]}""")]
    [InlineData("""{"keys":[{"kty":"RSA","kid":"a","n":"!!not base64!!","e":"AQAB"}]}""")]
    [InlineData("""{"keys":[{"kty":"EC","kid":"a","crv":"P-999","x":"AA","y":"AA"}]}""")]
    [InlineData("""{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"RSA","n":"AQAB","e":"AQAB"}]}""")]
    public async Task Malformed_key_sets_are_refused_or_verify_nothing_and_never_throw(string json)
    {
        var validator = JwtBearerValidator.Create(json, null, null, TimeProvider.System, "jwks.json", out var error);
        if (validator is null)
        {
            Assert.False(string.IsNullOrEmpty(error));
            Assert.Contains("jwks.json", error, StringComparison.Ordinal);
        }
        else
        {
            Assert.NotNull(await validator.ProblemAsync(TestJwt.Create(Now, TestJwt.Rsa().Signing), null));
        }
    }

    [Fact]
    public void A_key_set_holding_a_private_key_is_refused()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var jwk = Microsoft.IdentityModel.Tokens.JsonWebKeyConverter.ConvertFromRSASecurityKey(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(rsa.ExportParameters(true)) { KeyId = "k" });
        var json = $$"""{"keys":[{{System.Text.Json.JsonSerializer.Serialize(jwk)}}]}""";

        Assert.Null(JwtBearerValidator.Create(json, null, null, TimeProvider.System, "jwks.json", out var error));
        Assert.Contains("holds a private key", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lifetime_is_read_from_the_injected_clock()
    {
        var time = new FakeTimeProvider(Now);
        var validator = Validator(TestJwt.Secret, time);
        var token = TestJwt.Create(Now, lifetime: TimeSpan.FromMinutes(5));

        Assert.Null(await validator.ProblemAsync(token, null));
        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(31));
        Assert.Equal("the token has expired", await validator.ProblemAsync(token, null));

        var early = new FakeTimeProvider(Now - TimeSpan.FromMinutes(1));
        Assert.Equal("the token is not valid yet", await Validator(TestJwt.Secret, early).ProblemAsync(token, null));
    }

    [Fact]
    public async Task Issuer_audience_and_scope_are_checked_when_configured()
    {
        var time = new FakeTimeProvider(Now);
        var validator = JwtBearerValidator.Create(TestJwt.Secret, TestJwt.Issuer, TestJwt.Audience, time, "test", out _)!;

        Assert.Null(await validator.ProblemAsync(TestJwt.Create(Now, scope: "calls admin"), "admin"));
        Assert.Equal("the token lacks the scope or role 'admin'", await validator.ProblemAsync(TestJwt.Create(Now, scope: "calls"), "admin"));
        Assert.Equal("the token's issuer is not the one configured", await validator.ProblemAsync(TestJwt.Create(Now, issuer: "https://evil.example.com"), null));
        Assert.Equal("the token's audience is not the one configured", await validator.ProblemAsync(TestJwt.Create(Now, audience: "someone-else"), null));
    }

    [Theory]
    [InlineData("not a jwt")]
    [InlineData("a.b.c")]
    [InlineData("")]
    public async Task Garbage_is_refused_without_throwing(string token)
    {
        var validator = Validator(TestJwt.Secret, new FakeTimeProvider(Now));

        Assert.Equal("the token is not a valid JWT", await validator.ProblemAsync(token, null));
    }

    [Fact]
    public async Task Unsigned_and_oversized_tokens_are_refused()
    {
        var validator = Validator(TestJwt.Secret, new FakeTimeProvider(Now));
        var signed = TestJwt.Create(Now).Split('.');
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.NotNull(await validator.ProblemAsync($"{header}.{signed[1]}.", null));
        Assert.Equal($"the token is over {JwtBearerValidator.MaxTokenBytes} bytes", await validator.ProblemAsync(new string('a', JwtBearerValidator.MaxTokenBytes + 1), null));
    }

    [Theory]
    [InlineData("short-secret", "at least 32 bytes")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "holds a private key")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "neither an RSA nor an EC public key")]
    public void Weak_or_wrong_keys_are_refused_naming_the_problem(string key, string problem)
    {
        Assert.Null(JwtBearerValidator.Create(key, null, null, TimeProvider.System, "--jwt-key k.pem", out var error));
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.StartsWith("--jwt-key k.pem", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_static_token_and_a_jwt_are_both_accepted_and_the_verdict_says_what_was_presented()
    {
        var time = new FakeTimeProvider(Now);
        var bearer = new BearerAuthenticator("static-token-0123456789", Validator(TestJwt.Secret, time));

        Assert.True((await bearer.CheckAsync("Bearer static-token-0123456789")).Allowed);
        Assert.True((await bearer.CheckAsync("Bearer " + TestJwt.Create(Now))).Allowed);
        Assert.Equal(new BearerVerdict(false, false, "a bearer token is required"), await bearer.CheckAsync(null));
        Assert.Equal(new BearerVerdict(false, true, "the token is not a valid JWT"), await bearer.CheckAsync("Bearer wrong"));
        Assert.Equal("static token or JWT (HMAC secret)", bearer.Describe());
    }

    /// <summary>An RSA signing key with a kid, and its public half as a JWK.</summary>
    private static (Microsoft.IdentityModel.Tokens.SigningCredentials Signing, Dictionary<string, string> PublicJwk) KeyedRsa(string kid)
    {
        var rsa = System.Security.Cryptography.RSA.Create(2048);
        var signing = new Microsoft.IdentityModel.Tokens.SigningCredentials(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(rsa) { KeyId = kid }, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256);
        var p = rsa.ExportParameters(false);
        return (signing, new() { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["n"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Modulus), ["e"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Exponent) });
    }

    /// <summary>An EC P-256 signing key with a kid, and its public half as a JWK.</summary>
    private static (Microsoft.IdentityModel.Tokens.SigningCredentials Signing, Dictionary<string, string> PublicJwk) KeyedEc(string kid)
    {
        var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var signing = new Microsoft.IdentityModel.Tokens.SigningCredentials(new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(ec) { KeyId = kid }, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha256);
        var p = ec.ExportParameters(false);
        return (signing, new() { ["kty"] = "EC", ["kid"] = kid, ["crv"] = "P-256", ["x"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Q.X), ["y"] = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Q.Y) });
    }

    private static JwtBearerValidator Validator(string key, TimeProvider time) =>
        JwtBearerValidator.Create(key, null, null, time, "test", out var error) ?? throw new InvalidOperationException(error);
}
