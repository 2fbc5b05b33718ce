using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using VoiceBridge.Hosting;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Security;

/// <summary>
/// <c>voicebridge serve --secrets FILE</c> as a process of its own: a provider key and the admin token
/// with recognisable values are read from the file (the Realtime provider, a simulator on loopback, is
/// called with the key: the node is not in simulated mode), a Twilio call runs and the admin API is
/// used, and neither value appears in any line serve wrote.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class SecretsNeverLoggedTests(ITestOutputHelper output)
{
    private const string ProviderKey = "sk-CANARY-provider-key-7f3a9c1e5b";
    private const string AdminToken = "CANARY-admin-token-2d8e4f6a0c";

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Keys_from_a_secrets_file_are_used_and_appear_in_no_log_line()
    {
        var loggers = new TestLoggerFactory(output);
        var simulator = new RealtimeSimulator(new SimulatorOptions(), TimeProvider.System, loggers.CreateLogger<RealtimeSimulator>());
        var provider = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapSimulator(simulator));
        var dir = Directory.CreateTempSubdirectory("voicebridge-secrets-").FullName;
        var secrets = Path.Combine(dir, "secrets.env");
        File.WriteAllText(secrets, $"# canaries\nOPENAI_API_KEY={ProviderKey}\nVOICEBRIDGE_ADMIN_TOKEN={AdminToken}\n");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var port = VoicebridgeProcess.FreePort();
        var log = new StringBuilder();
        using var serve = Start(port, secrets, new Uri(provider.WebSocketBase(), WebHosts.RealtimePath), dir, log);
        try
        {
            Assert.True(await TimeProvider.System.UntilAsync(() => VoicebridgeProcess.Text(log).Contains("VoiceBridge serving on", StringComparison.Ordinal) || serve.HasExited, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30)), "serve started");
            Assert.False(serve.HasExited, VoicebridgeProcess.Text(log));

            var caller = new FakeTwilioCaller(CallerSpeech.OneUtterance("What are your opening hours?"), new FakeCallerOptions(), TimeProvider.System);
            var heard = await caller.RunAsync(new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero), new Uri($"ws://127.0.0.1:{port}{WebHosts.TwilioMediaPath}"), new Dictionary<string, string>(), CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Empty(heard.Errors);
            Assert.True(heard.FramesReceived > 25, "the provider answered with the key from the file");

            using var http = new HttpClient();
            using var refused = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/admin/calls") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", AdminToken + "x") } });
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using var admitted = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/admin/calls") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", AdminToken) } });
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        }
        finally
        {
            if (!serve.HasExited)
            {
                serve.Kill(entireProcessTree: true);
                await serve.WaitForExitAsync();
            }

            await provider.DisposeAsync();
            output.WriteLine(VoicebridgeProcess.Text(log));
        }

        var lines = VoicebridgeProcess.Text(log).Split('\n');
        Assert.Contains(lines, l => l.Contains("secrets from --secrets OPENAI_API_KEY, VOICEBRIDGE_ADMIN_TOKEN", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("SIMULATED", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("CANARY", StringComparison.Ordinal));
    }

    private static Process Start(int port, string secrets, Uri realtime, string dataDir, StringBuilder log) =>
        VoicebridgeProcess.Launch(
            [
                "serve", "--urls", $"http://127.0.0.1:{port}", "--sip-listen", "off", "--whip-off",
                "--secrets", secrets, "--realtime-url", realtime.ToString(), "--chain", "openai-realtime", "--data-dir", dataDir, "--no-warm-up",
            ],
            null,
            log);
}
