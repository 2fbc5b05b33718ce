using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceBridge.Legs.Twilio;
using static VoiceBridge.Tests.Legs.Twilio.TwilioTestData;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>The voice webhook on a real Kestrel server bound to a free loopback port.</summary>
public sealed class TwilioEndpointsTests
{
    private static readonly Dictionary<string, string> Form = new()
    {
        ["CallSid"] = CallSid,
        ["AccountSid"] = AccountSid,
        ["From"] = "+15550001111",
        ["To"] = "+15550002222",
        ["CallStatus"] = "ringing",
    };

    [Fact]
    public async Task Signed_webhook_gets_twiml_streaming_to_the_public_wss_url()
    {
        await using Server server = await Server.StartAsync(new TwilioOptions { AuthToken = "secret", PublicBaseUrl = "https://bridge.example.com" });

        HttpResponseMessage response = await server.PostAsync(Form, Sign("secret", "https://bridge.example.com/twilio/voice", Form));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        XElement stream = XDocument.Parse(await response.Content.ReadAsStringAsync()).Descendants("Stream").Single();
        Assert.Equal("wss://bridge.example.com/twilio/media", (string?)stream.Attribute("url"));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["CallSid"] = CallSid, ["From"] = "+15550001111", ["To"] = "+15550002222",
                [TwilioSignatureVerifier.StreamTokenParameter] = new TwilioSignatureVerifier(new TwilioOptions { AuthToken = "secret", PublicBaseUrl = "https://bridge.example.com" }).StreamToken(CallSid)!,
            },
            stream.Elements("Parameter").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!));
        Assert.Equal(0, server.Counters.SignatureRejected);
    }

    [Fact]
    public async Task Unsigned_or_tampered_webhooks_are_forbidden_and_counted()
    {
        await using Server server = await Server.StartAsync(new TwilioOptions { AuthToken = "secret", PublicBaseUrl = "https://bridge.example.com" });
        string signature = Sign("secret", "https://bridge.example.com/twilio/voice", Form);

        HttpResponseMessage unsigned = await server.PostAsync(Form, signature: null);
        HttpResponseMessage tampered = await server.PostAsync(new Dictionary<string, string>(Form) { ["To"] = "+19990000000" }, signature);
        HttpResponseMessage wrongUrl = await server.PostAsync(Form, Sign("secret", "https://evil.example.com/twilio/voice", Form));

        Assert.Equal(
            [HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            new[] { unsigned.StatusCode, tampered.StatusCode, wrongUrl.StatusCode });
        Assert.Equal(3, server.Counters.SignatureRejected);
    }

    [Fact]
    public async Task Without_a_token_any_webhook_streams_to_the_request_host()
    {
        await using Server server = await Server.StartAsync(new TwilioOptions(), mediaPath: "/media");

        HttpResponseMessage response = await server.PostAsync(Form, signature: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        XElement stream = XDocument.Parse(await response.Content.ReadAsStringAsync()).Descendants("Stream").Single();
        Assert.Equal($"ws://{server.Address.Authority}/media", (string?)stream.Attribute("url"));
    }

    [Fact]
    public async Task Behind_a_proxy_ending_tls_the_stream_url_is_the_public_wss_one_the_proxy_names()
    {
        await using Server server = await Server.StartAsync(new TwilioOptions(), mediaPath: "/media");

        HttpResponseMessage response = await server.PostAsync(Form, signature: null, new() { ["X-Forwarded-Proto"] = "https, http", ["X-Forwarded-Host"] = "abc.ngrok.app" });

        XElement stream = XDocument.Parse(await response.Content.ReadAsStringAsync()).Descendants("Stream").Single();
        Assert.Equal("wss://abc.ngrok.app/media", (string?)stream.Attribute("url"));
    }

    [Fact]
    public async Task A_node_that_takes_no_more_calls_answers_a_new_one_503_so_Twilio_turns_to_the_fallback_url()
    {
        var admitting = false;
        await using Server server = await Server.StartAsync(new TwilioOptions(), admitting: () => admitting);

        using HttpResponseMessage refused = await server.PostAsync(Form, signature: null);
        admitting = true;
        using HttpResponseMessage taken = await server.PostAsync(Form, signature: null);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK), (refused.StatusCode, taken.StatusCode));
    }

    [Fact]
    public async Task Invalid_options_fail_when_mapping()
    {
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(
            () => Server.StartAsync(new TwilioOptions { AuthToken = "secret" }));

        Assert.Contains("Twilio:PublicBaseUrl is required", error.Message);
    }

    private sealed class Server(WebApplication app, Uri address) : IAsyncDisposable
    {
        private readonly HttpClient _client = new() { BaseAddress = address };

        public Uri Address => address;

        public TwilioCounters Counters => app.Services.GetRequiredService<TwilioCounters>();

        public static async Task<Server> StartAsync(TwilioOptions options, string mediaPath = "/twilio/media", Func<bool>? admitting = null)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.Configure<TwilioOptions>(o => (o.AuthToken, o.PublicBaseUrl) = (options.AuthToken, options.PublicBaseUrl));
            builder.Services.AddSingleton<TwilioCounters>();
            WebApplication app = builder.Build();
            try
            {
                app.MapTwilioVoiceWebhook(mediaPath, admitting: admitting);
                await app.StartAsync();
                return new Server(app, new Uri(app.Urls.Single()));
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }

        public async Task<HttpResponseMessage> PostAsync(Dictionary<string, string> form, string? signature, Dictionary<string, string>? headers = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, TwilioEndpoints.VoicePath) { Content = new FormUrlEncodedContent(form) };
            foreach (var (name, value) in headers ?? [])
            {
                request.Headers.Add(name, value);
            }

            if (signature is not null)
            {
                request.Headers.Add(TwilioEndpoints.SignatureHeader, signature);
            }

            HttpResponseMessage response = await _client.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return response;
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
