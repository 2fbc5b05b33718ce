using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>The WHIP endpoint (RFC 9725) on Kestrel bound to loopback, with a fake session owner.</summary>
public sealed class WhipEndpointsTests
{
    private const string Token = "s3cret-token";

    [Fact]
    public async Task An_offer_creates_a_session_answered_201_with_location_and_sdp()
    {
        var sessions = new FakeSessions();
        await using LoopbackServer server = await StartAsync(new WhipOptions { BearerToken = Token }, sessions);
        using HttpClient client = Client(server, Token);

        HttpResponseMessage response = await client.PostAsync("/whip", Sdp(WebRtcTestOffers.Chromium));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/whip/session-1", response.Headers.Location?.OriginalString);
        Assert.Equal("application/sdp", response.Content.Headers.ContentType?.MediaType);
        string answer = await response.Content.ReadAsStringAsync();
        Assert.Equal(sessions.Answers["session-1"], answer);
        Assert.Contains("a=ice-lite\r\n", answer, StringComparison.Ordinal);
        Assert.Equal("EuwZ", sessions.Offers.Single().IceUfrag);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("Location", response.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }

    [Fact]
    public async Task An_offer_relayed_by_a_proxy_on_the_same_host_gets_no_wildcard_origin()
    {
        await using LoopbackServer server = await StartAsync(new WhipOptions { BearerToken = Token }, new FakeSessions());
        using HttpClient client = Client(server, Token);
        using var relayed = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = Sdp(WebRtcTestOffers.Chromium) };
        relayed.Headers.Add("X-Forwarded-For", "203.0.113.9");

        HttpResponseMessage response = await client.SendAsync(relayed);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Delete_ends_a_session_and_an_unknown_one_is_404()
    {
        var sessions = new FakeSessions();
        await using LoopbackServer server = await StartAsync(new WhipOptions { BearerToken = Token }, sessions);
        using HttpClient client = Client(server, Token);
        HttpResponseMessage created = await client.PostAsync("/whip", Sdp(WebRtcTestOffers.Chromium));

        HttpResponseMessage deleted = await client.DeleteAsync(created.Headers.Location);
        HttpResponseMessage again = await client.DeleteAsync(created.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(["session-1", "session-1"], sessions.DeleteRequests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("s3cret-toke")]
    public async Task Without_the_right_bearer_token_post_and_delete_are_401(string? token)
    {
        var sessions = new FakeSessions();
        await using LoopbackServer server = await StartAsync(new WhipOptions { BearerToken = Token }, sessions);
        using HttpClient client = Client(server, token);

        HttpResponseMessage post = await client.PostAsync("/whip", Sdp(WebRtcTestOffers.Chromium));
        HttpResponseMessage delete = await client.DeleteAsync("/whip/session-1");

        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Equal("Bearer", post.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(token is not null, post.Headers.WwwAuthenticate.Single().Parameter?.Contains("invalid_token", StringComparison.Ordinal));
        Assert.Empty(sessions.Offers);
        Assert.Empty(sessions.DeleteRequests);
    }

    [Fact]
    public async Task Another_content_type_is_415()
    {
        await using LoopbackServer server = await StartAsync(new WhipOptions(), new FakeSessions());
        using HttpClient client = Client(server, token: null);

        HttpResponseMessage response = await client.PostAsync("/whip", new StringContent(WebRtcTestOffers.Chromium, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/sdp", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage", HttpStatusCode.BadRequest, "malformed SDP")]
    [InlineData("no-fingerprint", HttpStatusCode.BadRequest, "no a=fingerprint")]
    [InlineData("no-codec", (HttpStatusCode)422, "neither opus/48000/2 nor PCMU/8000")]
    [InlineData("not-utf8", HttpStatusCode.BadRequest, "not UTF-8")]
    [InlineData("too-large", HttpStatusCode.RequestEntityTooLarge, "limit is 4096")]
    public async Task Bad_offers_get_4xx_with_the_reason_in_the_body(string fault, HttpStatusCode status, string reason)
    {
        var sessions = new FakeSessions();
        await using LoopbackServer server = await StartAsync(new WhipOptions { MaxOfferBytes = 4096 }, sessions);
        using HttpClient client = Client(server, token: null);
        HttpContent body = fault switch
        {
            "garbage" => Sdp("hello"),
            "no-fingerprint" => Sdp(WebRtcTestOffers.Chromium.Without("a=fingerprint")),
            "no-codec" => Sdp(WebRtcTestOffers.Chromium.ReplaceLine("m=audio", "m=audio 9 UDP/TLS/RTP/SAVPF 8")),
            "not-utf8" => Bytes([0x76, 0x3D, 0x30, 0x0D, 0x0A, 0xC3, 0x28]),
            "too-large" => Sdp(WebRtcTestOffers.ChromiumWithVideo),
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };

        HttpResponseMessage response = await client.PostAsync("/whip", body);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(sessions.Offers);
    }

    [Fact]
    public async Task A_body_without_content_length_is_cut_off_at_the_limit()
    {
        await using LoopbackServer server = await StartAsync(new WhipOptions { MaxOfferBytes = 4096 }, new FakeSessions());
        using HttpClient client = Client(server, token: null);
        var chunked = new StreamContent(new MemoryStream(new byte[10_000]));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;

        HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("/whip")]
    [InlineData("/whip/session-1")]
    public async Task A_cors_preflight_is_answered_without_a_token(string path)
    {
        await using LoopbackServer server = await StartAsync(new WhipOptions { BearerToken = Token, AllowedOrigin = "https://app.example.com" }, new FakeSessions());
        using HttpClient client = Client(server, token: null);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");

        HttpResponseMessage response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://app.example.com", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("POST, DELETE, PATCH, OPTIONS", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("Authorization, Content-Type, If-Match", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("Location", Header(response, "Access-Control-Expose-Headers"));
        Assert.Equal("application/sdp", Header(response, "Accept-Post"));
    }

    [Fact]
    public async Task Patch_for_trickle_ice_is_405()
    {
        await using LoopbackServer server = await StartAsync(new WhipOptions(), new FakeSessions());
        using HttpClient client = Client(server, token: null);

        HttpResponseMessage response = await client.PatchAsync("/whip/session-1", new StringContent("a=end-of-candidates", Encoding.UTF8, "application/trickle-ice-sdpfrag"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("whip", "Path")]
    [InlineData("/whip/", "Path")]
    [InlineData("/whip/{id}", "Path")]
    [InlineData("/whip", "BearerToken")]
    [InlineData("/whip", "AllowedOrigin")]
    [InlineData("/whip", "MaxOfferBytes")]
    public async Task Invalid_options_fail_when_mapping_naming_the_key(string path, string key)
    {
        var options = new WhipOptions
        {
            Path = path,
            BearerToken = key == "BearerToken" ? "two words" : null,
            AllowedOrigin = key == "AllowedOrigin" ? "https://app.example.com/page" : null,
            MaxOfferBytes = key == "MaxOfferBytes" ? 10 : 64 * 1024,
        };

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(options, new FakeSessions()));

        Assert.Contains($"Whip:{key}", error.Message, StringComparison.Ordinal);
    }

    private static Task<LoopbackServer> StartAsync(WhipOptions options, IWhipSessions sessions) =>
        LoopbackServer.StartAsync(app => app.MapWhip(options, sessions));

    private static HttpClient Client(LoopbackServer server, string? token)
    {
        var client = new HttpClient { BaseAddress = server.HttpBase };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static StringContent Sdp(string text) => new(text, Encoding.UTF8, "application/sdp");

    private static ByteArrayContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        return content;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values)
        : "";

    /// <summary>Answers with <see cref="WebRtcAnswerBuilder"/> and numbers sessions session-1, session-2, ...</summary>
    internal sealed class FakeSessions : IWhipSessions
    {
        private int _next;

        public ConcurrentQueue<WebRtcOffer> Offers { get; } = new();

        public ConcurrentDictionary<string, string> Answers { get; } = new();

        public ConcurrentQueue<string> DeleteRequests { get; } = new();

        public Task<WhipSessionResult> CreateAsync(WebRtcOffer offer, CancellationToken ct)
        {
            Offers.Enqueue(offer);
            string id = $"session-{Interlocked.Increment(ref _next)}";
            string answer = WebRtcAnswerBuilder.Build(offer, WebRtcAnswerBuilderTests.Ours).Sdp;
            Answers[id] = answer;
            return Task.FromResult(new WhipSessionResult(id, answer));
        }

        public Task<bool> DeleteAsync(string id, CancellationToken ct)
        {
            DeleteRequests.Enqueue(id);
            return Task.FromResult(Answers.TryRemove(id, out _));
        }
    }
}
