using VoiceBridge.Tests.Support;
using System.Net;
using VoiceBridge.Replay;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// <c>voicebridge serve</c> as a process of its own, with no keys (the embedded simulated provider),
/// called by the fake Twilio carrier over loopback.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class ServeProcessTests(ITestOutputHelper output)
{
    private static readonly string[] SipOnAnyPort = ["--sip-listen", "127.0.0.1:0"];

    [Fact]
    public async Task Serve_with_no_keys_answers_a_twilio_call_through_the_embedded_simulator()
    {
        await using var serve = await ServeProcess.StartAsync(output, "serve", SipOnAnyPort);

        using var http = new HttpClient();
        var twiml = await http.PostAsync(new Uri(serve.BaseUri, "/twilio/voice"), new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CA1" }));
        var body = await twiml.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, twiml.StatusCode);
        Assert.Contains($"<Stream url=\"ws://127.0.0.1:{serve.Port}/twilio/media\"", body);

        var caller = new FakeTwilioCaller(CallerSpeech.OneUtterance("What are your opening hours?"), new FakeCallerOptions(), TimeProvider.System);
        var connector = new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero);
        var observed = await caller.RunAsync(connector, new Uri($"ws://127.0.0.1:{serve.Port}/twilio/media"), new Dictionary<string, string>(), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(observed.Errors);
        Assert.True(observed.FramesReceived > 25, $"the agent's reply reached the caller ({observed.FramesReceived} frames)");
        Assert.True(observed.MarksPlayed > 0);
        Assert.Equal(0, observed.OddSizedPayloads);
        Assert.Contains("SIMULATED", serve.Log);
    }

    [Fact]
    public async Task Serve_with_an_auth_token_rejects_unsigned_webhooks_and_media_upgrades()
    {
        await using var serve = await ServeProcess.StartAsync(output, "serve (signed)", SipOnAnyPort, new Dictionary<string, string>
        {
            ["TWILIO_AUTH_TOKEN"] = "secret",
            ["PUBLIC_BASE_URL"] = "https://voice.example.com",
        });

        using var http = new HttpClient();
        var webhook = await http.PostAsync(new Uri(serve.BaseUri, "/twilio/voice"), new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CA1" }));
        Assert.Equal(HttpStatusCode.Forbidden, webhook.StatusCode);

        var connector = new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero);
        var refused = await Assert.ThrowsAsync<ConnectFailedException>(() =>
            connector.ConnectAsync(new Uri($"ws://127.0.0.1:{serve.Port}/twilio/media"), new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(403, refused.HttpStatus);
    }

    [Fact]
    public async Task Serve_refuses_to_start_with_a_token_but_no_public_url_and_names_the_key()
    {
        var (exitCode, log) = await ServeProcess.RunToExitAsync(SipOnAnyPort, new Dictionary<string, string> { ["TWILIO_AUTH_TOKEN"] = "secret" }, TimeSpan.FromSeconds(30));
        Assert.Equal(2, exitCode);
        Assert.Contains("PublicBaseUrl", log);
    }

    [Fact]
    public async Task Serve_refuses_bad_failover_thresholds_naming_each_key()
    {
        var (exitCode, error) = await ServeProcess.RunToExitAsync(SipOnAnyPort, new Dictionary<string, string> { ["Failover__ResponseStallMs"] = "5", ["Failover__SlowTurnsInRow"] = "0" }, TimeSpan.FromSeconds(30));
        Assert.Equal(2, exitCode);
        Assert.Contains("Failover:ResponseStallMs must be 100-60000, got 5", error, StringComparison.Ordinal);
        Assert.Contains("Failover:SlowTurnsInRow must be 1-100, got 0", error, StringComparison.Ordinal);
    }
}
