using System.Net;
using System.Net.Http.Headers;
using VoiceBridge.Tests.Legs.WebRtc;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Hosting;

/// <summary>
/// <c>serve --trusted-proxy</c> as a node behind a reverse proxy on the same host runs: browser
/// callers are told apart by the proxy's X-Forwarded-For for <c>--max-calls-per-source</c>, and
/// without the option every caller is the proxy's address (the header is not believed).
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class TrustedProxyProcessTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true, HttpStatusCode.Created)]
    [InlineData(false, HttpStatusCode.TooManyRequests)]
    public async Task Callers_behind_a_trusted_proxy_are_limited_each_by_their_own_address(bool trusted, HttpStatusCode second)
    {
        string[] arguments = ["--sip-listen", "off", "--no-warm-up", "--max-calls-per-source", "1", "--data-dir", Directory.CreateTempSubdirectory("voicebridge-proxy-").FullName];
        await using var serve = await ServeProcess.StartAsync(output, "serve", trusted ? [.. arguments, "--trusted-proxy", "127.0.0.1"] : arguments);
        using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = TimeSpan.FromSeconds(20) };

        var first = await OfferAsync(http, "203.0.113.1");
        var other = await OfferAsync(http, "203.0.113.2");
        var again = await OfferAsync(http, "203.0.113.1");

        output.WriteLine(serve.Log);
        Assert.Equal((HttpStatusCode.Created, second, HttpStatusCode.TooManyRequests), (first, other, again));
    }

    private static async Task<HttpStatusCode> OfferAsync(HttpClient http, string caller)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = new StringContent(WebRtcTestOffers.Chromium) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        request.Headers.Add("X-Forwarded-For", caller);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
