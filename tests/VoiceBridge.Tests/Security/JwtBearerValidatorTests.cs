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

    private static JwtBearerValidator Validator(string key, TimeProvider time) =>
        JwtBearerValidator.Create(key, null, null, time, "test", out var error) ?? throw new InvalidOperationException(error);
}
