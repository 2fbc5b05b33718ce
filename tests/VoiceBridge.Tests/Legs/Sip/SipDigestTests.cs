using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Legs.Sip;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// Digest computation against the RFCs' own examples, challenge and credentials parsing (quoted
/// strings, commas inside them, unknown parameters, malformed input), and the server's nonces:
/// accepted, stale after their lifetime, replayed nc, forged.
/// </summary>
public sealed class SipDigestTests
{
    // RFC 7616 3.9.1.
    private const string Nonce7616 = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private const string Cnonce7616 = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private const string Opaque7616 = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    [Theory]
    [InlineData(SipDigestAlgorithm.Md5, "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData(SipDigestAlgorithm.Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Rfc7616_example_responses(SipDigestAlgorithm algorithm, string expected)
    {
        var response = SipDigest.Response(algorithm, "Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html", Nonce7616, "auth", "00000001", Cnonce7616);
        Assert.Equal(expected, response);
    }

    [Fact]
    public void Rfc2617_example_response() =>
        Assert.Equal(
            "6629fae49393a05397450978507c4ef1",
            SipDigest.Response(SipDigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001", "0a4f113b"));

    [Fact]
    public void Without_qop_the_response_is_rfc2069_style()
    {
        var ha1 = SipDigest.Hash(SipDigestAlgorithm.Md5, "bob:biloxi.com:zanzibar");
        var ha2 = SipDigest.Hash(SipDigestAlgorithm.Md5, "INVITE:sip:bob@biloxi.com");
        var expected = SipDigest.Hash(SipDigestAlgorithm.Md5, $"{ha1}:n1:{ha2}");
        Assert.Equal(expected, SipDigest.Response(SipDigestAlgorithm.Md5, "bob", "biloxi.com", "zanzibar", "INVITE", "sip:bob@biloxi.com", "n1"));
    }

    [Fact]
    public void The_rfc7616_challenge_parses_and_answering_it_gives_the_example_response()
    {
        var header = $"""Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="{Nonce7616}", opaque="{Opaque7616}" """;
        Assert.True(SipDigestChallenge.TryParse(header, out var challenge, out var error), error);
        Assert.Equal("http-auth@example.org", challenge!.Realm);
        Assert.Equal(SipDigestAlgorithm.Sha256, challenge.Algorithm);
        Assert.True(challenge.QopAuth);
        Assert.False(challenge.Stale);
        Assert.Equal(Opaque7616, challenge.Opaque);
        var credentials = SipDigest.Answer(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html", Cnonce7616, 1);
        Assert.Equal("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", credentials.Response);
        Assert.Equal("00000001", credentials.NonceCount);
        Assert.True(SipDigestCredentials.TryParse(credentials.ToString(), out var back, out error), error);
        Assert.Equal(credentials, back);
    }

    [Fact]
    public void The_rfc7616_authorization_parses_with_its_line_breaks_folded()
    {
        var header = $"""Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, nonce="{Nonce7616}", nc=00000001, cnonce="{Cnonce7616}", qop=auth, response="8ca523f5e9506fed4657c9700eebdbec", opaque="{Opaque7616}" """;
        Assert.True(SipDigestCredentials.TryParse(header, out var c, out var error), error);
        Assert.Equal(("Mufasa", "/dir/index.html", SipDigestAlgorithm.Md5, "auth", "00000001"), (c!.Username, c.Uri, c.Algorithm, c.Qop, c.NonceCount));
        Assert.Equal(c.Response, SipDigest.Response(c.Algorithm, c.Username, c.Realm, "Circle of Life", "GET", c.Uri, c.Nonce, c.Qop, c.NonceCount, c.Cnonce));
    }

    [Fact]
    public void Quoted_commas_escapes_unknown_parameters_and_empty_elements_are_handled()
    {
        var header = """digest  realm="a, \"b\"",,nonce=abc/def+=, domain="sip:x sip:y", charset=UTF-8 ,stale=true, userhash=false""";
        Assert.True(SipDigestChallenge.TryParse(header, out var challenge, out var error), error);
        Assert.Equal("a, \"b\"", challenge!.Realm);
        Assert.Equal("abc/def+=", challenge.Nonce);
        Assert.True(challenge.Stale);
        Assert.False(challenge.QopAuth);
        Assert.Equal(SipDigestAlgorithm.Md5, challenge.Algorithm);
        Assert.True(SipDigestChallenge.TryParse(challenge.ToString(), out var back, out error), error);
        Assert.Equal(challenge, back);
    }

    [Theory]
    [InlineData("", "missing auth scheme")]
    [InlineData("Basic realm=\"x\"", "is not Digest")]
    [InlineData("Digest", "no parameters")]
    [InlineData("Digest realm=\"x\", nonce=\"unterminated", "unterminated")]
    [InlineData("Digest realm=\"x\" nonce=\"y\"", "expected ','")]
    [InlineData("Digest realm", "no '='")]
    [InlineData("Digest realm=, nonce=y", "no value")]
    [InlineData("Digest realm=\"x\", realm=\"y\", nonce=z", "appears twice")]
    [InlineData("Digest nonce=\"y\"", "lacks realm or nonce")]
    [InlineData("Digest realm=\"x\", nonce=\"y\", algorithm=SHA-512-256", "not supported")]
    [InlineData("Digest realm=\"x\", nonce=\"y\", algorithm=MD5-sess", "not supported")]
    [InlineData("Digest realm=\"x\", nonce=\"y\", qop=\"auth-int\"", "does not offer auth")]
    [InlineData("Digest realm=\"x\u0001\", nonce=\"y\"", "unterminated")]
    public void Malformed_or_unanswerable_challenges_are_refused_with_a_reason(string header, string reason)
    {
        Assert.False(SipDigestChallenge.TryParse(header, out var challenge, out var error));
        Assert.Null(challenge);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u0001', error!);
    }

    [Theory]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\"", "lack response")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth", "cnonce")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, cnonce=\"c\", nc=1", "8-hex-digit")]
    [InlineData("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth-int, cnonce=\"c\", nc=00000001", "not supported")]
    public void Malformed_credentials_are_refused_with_a_reason(string header, string reason)
    {
        Assert.False(SipDigestCredentials.TryParse(header, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_headers_and_too_many_parameters_are_refused()
    {
        Assert.False(SipDigestChallenge.TryParse("Digest realm=\"" + new string('a', 5000) + "\", nonce=n", out _, out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
        var many = "Digest realm=r, nonce=n, " + string.Join(", ", Enumerable.Range(0, 40).Select(i => $"p{i}=v"));
        Assert.False(SipDigestChallenge.TryParse(many, out _, out error));
        Assert.Contains("more than 32", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_prefers_sha256_and_falls_back_to_md5()
    {
        var md5 = "Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"";
        var sha = "Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"";
        Assert.Equal("n2", SipDigest.Choose([md5, sha], out _)!.Nonce);
        Assert.Equal("n1", SipDigest.Choose([md5, "Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-512-256"], out _)!.Nonce);
        Assert.Null(SipDigest.Choose(["Basic realm=\"r\""], out var error));
        Assert.Contains("not Digest", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_accepts_its_own_challenge_answered_with_either_algorithm_and_rejects_the_wrong_password()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var server = new SipDigestServer(new SipDigestOptions { Realm = "vb", Username = "trunk", Password = "s3cret" }, time);
        var challenges = server.Challenges(stale: false);
        Assert.Equal(2, challenges.Count);
        Assert.Contains("algorithm=SHA-256", challenges[0], StringComparison.Ordinal);
        Assert.Contains("algorithm=MD5", challenges[1], StringComparison.Ordinal);
        Assert.All(challenges, c => Assert.Contains("qop=\"auth\"", c, StringComparison.Ordinal));
        var uri = "sip:agent@127.0.0.1:5060";
        uint nc = 0;
        foreach (var header in challenges)
        {
            // Both challenges carry one nonce: each answer counts nc up.
            SipDigestChallenge.TryParse(header, out var challenge, out _);
            var good = SipDigest.Answer(challenge!, "trunk", "s3cret", "INVITE", uri, "c1", ++nc).ToString();
            Assert.Equal(SipDigestOutcome.Accepted, server.Verify([good], "INVITE", uri).Outcome);
            var bad = SipDigest.Answer(challenge!, "trunk", "guess", "INVITE", uri, "c2", 2).ToString();
            Assert.Equal(new SipDigestVerdict(SipDigestOutcome.Rejected, "wrong response (password)"), server.Verify([bad], "INVITE", uri));
            var otherMethod = SipDigest.Answer(challenge!, "trunk", "s3cret", "OPTIONS", uri, "c3", 3).ToString();
            Assert.Equal(SipDigestOutcome.Rejected, server.Verify([otherMethod], "INVITE", uri).Outcome);
            var otherUser = SipDigest.Answer(challenge!, "mallory", "s3cret", "INVITE", uri, "c4", 4).ToString();
            Assert.Contains("unknown username", server.Verify([otherUser], "INVITE", uri).Reason, StringComparison.Ordinal);
            var otherUri = SipDigest.Answer(challenge!, "trunk", "s3cret", "INVITE", "sip:else@127.0.0.1", "c5", 5).ToString();
            Assert.Contains("Request-URI", server.Verify([otherUri], "INVITE", uri).Reason, StringComparison.Ordinal);
        }

        Assert.Equal(SipDigestOutcome.Missing, server.Verify([], "INVITE", uri).Outcome);
        var otherRealm = "Digest username=\"trunk\", realm=\"elsewhere\", nonce=\"n\", uri=\"x\", response=\"y\"";
        Assert.Equal(SipDigestOutcome.Missing, server.Verify([otherRealm], "INVITE", uri).Outcome);
        Assert.Equal(SipDigestOutcome.Rejected, server.Verify(["Digest garbage"], "INVITE", uri).Outcome);
    }

    [Fact]
    public void A_nonce_goes_stale_after_its_lifetime_a_replayed_nc_is_stale_and_a_forged_nonce_is_rejected()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new SipDigestOptions { Realm = "vb", Username = "u", Password = "p" };
        var server = new SipDigestServer(options, time);
        var uri = "sip:agent@127.0.0.1";
        SipDigestChallenge.TryParse(server.Challenges(stale: false)[1], out var challenge, out _);
        string Answer(uint nc) => SipDigest.Answer(challenge!, "u", "p", "INVITE", uri, "c", nc).ToString();

        Assert.Equal(SipDigestOutcome.Accepted, server.Verify([Answer(1)], "INVITE", uri).Outcome);
        Assert.Equal(SipDigestOutcome.Stale, server.Verify([Answer(1)], "INVITE", uri).Outcome);
        Assert.Equal(SipDigestOutcome.Accepted, server.Verify([Answer(2)], "INVITE", uri).Outcome);
        time.Advance(options.NonceLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(SipDigestOutcome.Stale, server.Verify([Answer(3)], "INVITE", uri).Outcome);
        Assert.Contains("stale=TRUE", server.Challenges(stale: true)[0], StringComparison.Ordinal);

        var otherProcess = new SipDigestServer(options, time);
        SipDigestChallenge.TryParse(otherProcess.Challenges(stale: false)[0], out var foreign, out _);
        var forged = SipDigest.Answer(foreign!, "u", "p", "INVITE", uri, "c", 1).ToString();
        Assert.Equal(new SipDigestVerdict(SipDigestOutcome.Rejected, "a nonce we did not issue"), server.Verify([forged], "INVITE", uri));
    }

    [Fact]
    public void Credentials_without_qop_are_rejected_because_we_offer_it()
    {
        var time = new FakeTimeProvider();
        var server = new SipDigestServer(new SipDigestOptions { Realm = "vb", Username = "u", Password = "p" }, time);
        SipDigestChallenge.TryParse(server.Challenges(stale: false)[1], out var challenge, out _);
        var legacy = SipDigest.Answer(challenge! with { QopAuth = false }, "u", "p", "INVITE", "sip:a@b", "c", 1).ToString();
        Assert.Contains("no qop=auth", server.Verify([legacy], "INVITE", "sip:a@b").Reason, StringComparison.Ordinal);
    }
}
