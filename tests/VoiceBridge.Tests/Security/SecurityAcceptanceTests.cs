using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Hosting;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Operations;
using VoiceBridge.Replay;
using VoiceBridge.Security;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Legs.WebRtc;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Security;

/// <summary>
/// Issue 10's security acceptance over loopback sockets: unsigned or badly signed Twilio webhooks
/// and media upgrades (signatures made by the npm <c>twilio</c> package), WHIP and admin requests
/// with no token, a JWT signed with another key, an expired one, one without the admin scope: each
/// refused and counted in <see cref="Rejections"/>, while the good request of each kind goes through.
/// </summary>
[Collection(RejectionCounting.Name)]
[Trait("Category", "Interop")]
public sealed class SecurityAcceptanceTests(ITestOutputHelper output)
{
    private const string AuthToken = "12345678901234567890123456789012";
    private const string PublicBase = "https://bridge.example.com";
    private static readonly DateTimeOffset Now = new(2031, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public Task Twilio_webhooks_and_media_upgrades_without_a_good_signature_are_refused_and_counted() => WithSignedBridgeAsync(async (env, app, http) =>
    {
        var form = new Dictionary<string, string> { ["CallSid"] = "CA-sec-1", ["From"] = "+15550001111" };
        var signed = await SignWithNodeAsync(PublicBase + TwilioEndpoints.VoicePath, form);
        var media = new Uri(app.WebSocketBase(), WebHosts.TwilioMediaPath);
        var mediaSigned = await SignWithNodeAsync("wss://bridge.example.com" + WebHosts.TwilioMediaPath, []);

        var refused = await RejectionCounting.CountAsync(Rejections.TwilioSignature, async () =>
        {
            Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(http, form, null));
            Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(http, form, Tamper(signed)));
            Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(http, new(form) { ["From"] = "+19990000000" }, signed));
            Assert.Equal(403, await UpgradeAsync(media, null));
            Assert.Equal(403, await UpgradeAsync(media, Tamper(mediaSigned)));
            Assert.Equal(403, await UpgradeAsync(media, signed));
        });
        Assert.Equal(6, refused);

        var accepted = await RejectionCounting.CountAsync(Rejections.TwilioSignature, async () =>
        {
            Assert.Equal(HttpStatusCode.OK, await PostAsync(http, form, signed));
            Assert.Equal(101, await UpgradeAsync(media, mediaSigned));
        });
        Assert.Equal(0, accepted);
    });

    [Fact]
    public Task A_media_stream_starts_a_call_only_with_the_token_the_signed_webhook_gave_that_call() => WithSignedBridgeAsync(async (env, app, http) =>
    {
        var form = new Dictionary<string, string> { ["CallSid"] = "CA-sec-2" };
        using var webhook = new HttpRequestMessage(HttpMethod.Post, TwilioEndpoints.VoicePath) { Content = new FormUrlEncodedContent(form) };
        webhook.Headers.Add(TwilioEndpoints.SignatureHeader, await SignWithNodeAsync(PublicBase + TwilioEndpoints.VoicePath, form));
        using var twiml = await http.SendAsync(webhook);
        var parameters = System.Xml.Linq.XDocument.Parse(await twiml.Content.ReadAsStringAsync()).Descendants("Parameter")
            .ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!);
        var token = parameters[TwilioSignatureVerifier.StreamTokenParameter];
        var media = new Uri(app.WebSocketBase(), WebHosts.TwilioMediaPath);
        var mediaSigned = await SignWithNodeAsync("wss://bridge.example.com" + WebHosts.TwilioMediaPath, []);

        // The same (replayable) upgrade signature, with another call's CallSid, or this one's without its token.
        var refused = await RejectionCounting.CountAsync(Rejections.TwilioStreamToken, async () =>
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await StartStreamAsync(media, mediaSigned, "CA-forged", new() { [TwilioSignatureVerifier.StreamTokenParameter] = token }));
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await StartStreamAsync(media, mediaSigned, "CA-sec-2", []));
        });
        Assert.Equal(2, refused);
        Assert.Empty(env.Bridge.Registry.Live);

        var ended = env.Bridge.Registry.WhenEnded("CA-sec-2");
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await StartStreamAsync(media, mediaSigned, "CA-sec-2", parameters));
        Assert.Equal("Twilio stopped the stream", (await ended.WaitAsync(TimeSpan.FromSeconds(20))).EndReason);
    });

    /// <summary>A bridge on loopback that checks Twilio signatures (<see cref="AuthToken"/>, <see cref="PublicBase"/>), given to <paramref name="body"/> with a client of it.</summary>
    private async Task WithSignedBridgeAsync(Func<ReplayEnvironment, WebApplication, HttpClient, Task> body)
    {
        var loggers = new TestLoggerFactory(output);
        await using var env = await ReplayEnvironment.StartLoopbackAsync(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), new CallSessionOptions(), loggers);
        var app = await WebHosts.StartLoopbackAsync(
            loggers,
            s => s.Configure<TwilioOptions>(o => (o.AuthToken, o.PublicBaseUrl) = (AuthToken, PublicBase)),
            a => a.MapBridge(env.Bridge));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            await body(env, app, http);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Opens a media stream, sends connected and a start for <paramref name="callSid"/>, then a stop; the close status the bridge ended it with.</summary>
    private static async Task<WebSocketCloseStatus?> StartStreamAsync(Uri media, string signature, string callSid, Dictionary<string, string> parameters)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader(TwilioEndpoints.SignatureHeader, signature);
        await socket.ConnectAsync(media, CancellationToken.None);
        var message = new System.Buffers.ArrayBufferWriter<byte>();
        TwilioCarrierWriter.WriteConnected(message);
        await socket.SendAsync(message.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
        message.ResetWrittenCount();
        TwilioCarrierWriter.WriteStart(message, 1, "MZ-" + callSid, "AC-sec", callSid, parameters);
        await socket.SendAsync(message.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
        message.ResetWrittenCount();
        TwilioCarrierWriter.WriteStop(message, 2, "MZ-" + callSid, "AC-sec", callSid);
        await socket.SendAsync(message.WrittenMemory, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result.CloseStatus;
            }
        }
    }

    [Fact]
    public async Task Whip_without_a_token_or_with_a_bad_or_expired_jwt_is_refused_and_counted()
    {
        var time = new FakeTimeProvider(Now);
        var jwt = JwtBearerValidator.Create(TestJwt.Secret, TestJwt.Issuer, TestJwt.Audience, time, "test", out _)!;
        var sessions = new WhipEndpointsTests.FakeSessions();
        await using var server = await LoopbackServer.StartAsync(app => app.MapWhip(new WhipOptions { Jwt = jwt }, sessions));
        using var http = new HttpClient { BaseAddress = server.HttpBase };

        var refused = await RejectionCounting.CountAsync(Rejections.WhipAuth, async () =>
        {
            foreach (var token in BadTokens())
            {
                using var response = await http.SendAsync(Offer(token));
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.StartsWith("Bearer realm=\"VoiceBridge WHIP\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            }
        });
        Assert.Equal(BadTokens().Count, refused);
        Assert.Empty(sessions.Offers);

        using var created = await http.SendAsync(Offer(TestJwt.Create(Now)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Admin_calls_without_a_token_or_with_a_bad_expired_or_unscoped_jwt_are_refused_and_counted()
    {
        var time = new FakeTimeProvider(Now);
        var jwt = JwtBearerValidator.Create(TestJwt.Secret, TestJwt.Issuer, TestJwt.Audience, time, "test", out _)!;
        var access = AdminAccess.Create(null, open: false, "http://0.0.0.0:8080", out var error, jwt, "voicebridge.admin");
        Assert.Null(error);
        await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), new CallSessionOptions(), time, NullLoggerFactory.Instance);
        var drills = new AdminDrills(env.Bridge, NullAuditLog.Instance, time, NullLoggerFactory.Instance);
        var app = await WebHosts.StartLoopbackAsync(NullLoggerFactory.Instance, _ => { }, a => a.MapAdmin(drills, access!));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var bad = BadTokens().Append(TestJwt.Create(Now, scope: "calls")).ToList();
            var refused = await RejectionCounting.CountAsync(Rejections.AdminAuth, async () =>
            {
                foreach (var token in bad)
                {
                    using var response = await http.SendAsync(Get("/admin/calls", token));
                    Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                }
            });
            Assert.Equal(bad.Count, refused);
            Assert.Equal(bad.Count, access!.Refused);

            using var ok = await http.SendAsync(Get("/admin/calls", TestJwt.Create(Now, scope: "calls voicebridge.admin")));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("""{"calls":[]}""", await ok.Content.ReadAsStringAsync());
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>No token, garbage, a JWT signed with another key, one expired on the bridge's clock.</summary>
    private static List<string?> BadTokens() =>
    [
        null,
        "not-a-token",
        TestJwt.Create(Now, TestJwt.Hmac(TestJwt.Secret + "-other")),
        TestJwt.Create(Now - TimeSpan.FromHours(1), lifetime: TimeSpan.FromMinutes(5)),
    ];

    private static HttpRequestMessage Offer(string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = new StringContent(WebRtcTestOffers.Chromium, Encoding.UTF8, WhipEndpoints.SdpMediaType) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(WhipEndpoints.SdpMediaType);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static HttpRequestMessage Get(string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, Dictionary<string, string> form, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioEndpoints.VoicePath) { Content = new FormUrlEncodedContent(form) };
        if (signature is not null)
        {
            request.Headers.Add(TwilioEndpoints.SignatureHeader, signature);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The HTTP status of a media upgrade (101 when it was accepted; the socket is then closed at once).</summary>
    private static async Task<int> UpgradeAsync(Uri uri, string? signature)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (signature is not null)
        {
            socket.Options.SetRequestHeader(TwilioEndpoints.SignatureHeader, signature);
        }

        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "test done", CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // Refused: the status says how.
        }

        return (int)socket.HttpStatusCode;
    }

    private static string Tamper(string signature) => (signature[0] == 'A' ? "B" : "A") + signature[1..];

    private static async Task<string> SignWithNodeAsync(string url, Dictionary<string, string> parameters)
    {
        var nodeDir = Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "node");
        Assert.True(
            Directory.Exists(Path.Combine(nodeDir, "node_modules", "twilio")),
            "npm package 'twilio' is not installed: run `npm ci --prefix tests/VoiceBridge.Tests/node` from the repository root.");
        var start = new ProcessStartInfo("node") { WorkingDirectory = nodeDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "sign.js", AuthToken, url, JsonSerializer.Serialize(parameters) })
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, $"node sign.js failed ({node.ExitCode}): {await stderr}");
        return (await stdout).Trim();
    }
}
