using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Legs.Twilio;
using static VoiceBridge.Tests.Legs.Twilio.TwilioTestData;

namespace VoiceBridge.Tests.Legs.Twilio;

public sealed class TwilioSignatureVerifierTests
{
    private const string Golden = "JBwPZX2lJUrgsvZhJZ4saF4DSBk=";

    private static readonly Dictionary<string, string> Form = new() { ["CallSid"] = "CA123", ["From"] = "+15550001111" };

    [Fact]
    public void Golden_signature_from_twilio_node_is_accepted()
    {
        Assert.Equal(Golden, Sign("secret", "https://example.com/twilio/voice", Form));
        Assert.True(Verifier("https://example.com").IsValid("/twilio/voice", Form, Golden));
    }

    [Fact]
    public void Tampering_with_anything_signed_is_rejected()
    {
        TwilioSignatureVerifier verifier = Verifier("https://example.com");

        Assert.False(verifier.IsValid("/twilio/voice", Form, "KBwPZX2lJUrgsvZhJZ4saF4DSBk="));
        Assert.False(verifier.IsValid("/twilio/voice", new Dictionary<string, string>(Form) { ["From"] = "+15550001112" }, Golden));
        Assert.False(verifier.IsValid("/twilio/voice", new Dictionary<string, string>(Form) { ["To"] = "+1" }, Golden));
        Assert.False(verifier.IsValid("/twilio/voice?x=1", Form, Golden));
        Assert.False(verifier.IsValid("/twilio/voice", Form, null));
        Assert.False(verifier.IsValid("/twilio/voice", Form, ""));
        Assert.False(Verifier("https://example.com", "other").IsValid("/twilio/voice", Form, Golden));
        Assert.False(Verifier("https://example.org").IsValid("/twilio/voice", Form, Golden));
    }

    [Fact]
    public void A_parameter_named_twice_is_rejected()
    {
        KeyValuePair<string, string>[] form = [.. Form, KeyValuePair.Create("From", "+15550001111")];

        Assert.False(Verifier("https://example.com").IsValid("/twilio/voice", form, Golden));
    }

    [Theory]
    [InlineData("https://example.com", "https://example.com:443/twilio/voice")]
    [InlineData("https://example.com:443", "https://example.com/twilio/voice")]
    [InlineData("https://example.com:443", "https://example.com:443/twilio/voice")]
    [InlineData("http://example.com", "http://example.com:80/twilio/voice")]
    [InlineData("https://example.com:8443", "https://example.com:8443/twilio/voice")]
    [InlineData("https://example.com/", "https://example.com/twilio/voice")]
    [InlineData("https://example.com/bridge", "https://example.com/bridge/twilio/voice")]
    [InlineData("https://[::1]:443", "https://[::1]/twilio/voice")]
    public void Default_ports_trailing_slashes_and_prefixes_are_handled(string baseUrl, string signedUrl)
    {
        Assert.True(Verifier(baseUrl).IsValid("/twilio/voice", Form, Sign("secret", signedUrl, Form)));
    }

    [Fact]
    public void Query_string_is_part_of_the_signed_url()
    {
        string signature = Sign("secret", "https://example.com/twilio/voice?tenant=a%20b&x=1", Form);

        Assert.True(Verifier("https://example.com").IsValid("/twilio/voice?tenant=a%20b&x=1", Form, signature));
    }

    [Theory]
    [InlineData("https://example.com", "wss://example.com/twilio/media")]
    [InlineData("https://example.com", "wss://example.com:443/twilio/media")]
    [InlineData("https://example.com:443", "wss://example.com/twilio/media")]
    [InlineData("http://localhost:5000", "ws://localhost:5000/twilio/media")]
    public void WebSocket_upgrade_is_checked_against_the_websocket_url(string baseUrl, string signedUrl)
    {
        string signature = Sign("secret", signedUrl, []);

        Assert.True(Verifier(baseUrl).IsValidWebSocket("/twilio/media", signature));
        Assert.False(Verifier(baseUrl).IsValid("/twilio/media", [], signature));
    }

    [Fact]
    public void WebSocket_upgrade_signed_over_the_https_url_is_rejected()
    {
        Assert.False(Verifier("https://example.com").IsValidWebSocket("/twilio/media", Sign("secret", "https://example.com/twilio/media", [])));
    }

    [Fact]
    public void Without_a_token_verification_is_off_and_every_check_fails()
    {
        var verifier = new TwilioSignatureVerifier(new TwilioOptions());

        Assert.False(verifier.IsEnabled);
        Assert.False(verifier.IsValid("/twilio/voice", Form, Golden));
    }

    [Fact]
    public void Invalid_options_and_relative_paths_are_refused()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new TwilioSignatureVerifier(new TwilioOptions { AuthToken = "secret" }));
        Assert.Contains("Twilio:PublicBaseUrl", error.Message);

        Assert.Throws<ArgumentException>(() => Verifier("https://example.com").IsValid("twilio/voice", Form, Golden));
    }

    [Fact]
    public void Upgrade_helper_accepts_valid_and_counts_rejected_requests()
    {
        var counters = new TwilioCounters();
        TwilioSignatureVerifier verifier = Verifier("https://example.com");

        Assert.True(TwilioEndpoints.VerifyWebSocketUpgrade(Upgrade(counters, Sign("secret", "wss://example.com/twilio/media", [])), verifier));
        Assert.False(TwilioEndpoints.VerifyWebSocketUpgrade(Upgrade(counters, "bogus"), verifier));
        Assert.False(TwilioEndpoints.VerifyWebSocketUpgrade(Upgrade(counters, null), verifier));
        Assert.True(TwilioEndpoints.VerifyWebSocketUpgrade(Upgrade(counters, null), new TwilioSignatureVerifier(new TwilioOptions())));

        Assert.Equal(2, counters.SignatureRejected);
    }

    [Fact]
    public void Counters_count_parse_outcomes()
    {
        var counters = new TwilioCounters();

        counters.Count(TwilioParseStatus.Ok);
        counters.Count(TwilioParseStatus.Invalid);
        counters.Count(TwilioParseStatus.UnknownEvent);
        counters.Count(TwilioParseStatus.UnknownEvent);

        Assert.Equal((1L, 2L, 0L), (counters.MalformedMessages, counters.UnknownEvents, counters.SignatureRejected));
    }

    [Fact]
    public void A_stream_token_is_the_calls_own_under_this_auth_token_and_without_a_token_every_stream_is_taken()
    {
        var verifier = Verifier("https://bridge.example.com");
        var token = verifier.StreamToken("CA1")!;

        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
        Assert.True(verifier.IsIssuedStream("CA1", token));
        Assert.False(verifier.IsIssuedStream("CA2", token));
        Assert.False(verifier.IsIssuedStream("CA1", null));
        Assert.False(verifier.IsIssuedStream(null, token));
        Assert.False(Verifier("https://bridge.example.com", token: "other").IsIssuedStream("CA1", token));
        var open = new TwilioSignatureVerifier(new TwilioOptions());
        Assert.Null(open.StreamToken("CA1"));
        Assert.True(open.IsIssuedStream("CA1", null));
    }

    private static TwilioSignatureVerifier Verifier(string baseUrl, string token = "secret") =>
        new(new TwilioOptions { AuthToken = token, PublicBaseUrl = baseUrl });

    private static DefaultHttpContext Upgrade(TwilioCounters counters, string? signature)
    {
        var ctx = new DefaultHttpContext { RequestServices = new ServiceCollection().AddSingleton(counters).BuildServiceProvider() };
        ctx.Request.Path = "/twilio/media";
        if (signature is not null)
        {
            ctx.Request.Headers[TwilioEndpoints.SignatureHeader] = signature;
        }

        return ctx;
    }
}
