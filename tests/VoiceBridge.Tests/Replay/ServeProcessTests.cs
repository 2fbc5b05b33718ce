using VoiceBridge.Tests.Support;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Speech;
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
    [Fact]
    public async Task Serve_with_no_keys_answers_a_twilio_call_through_the_embedded_simulator()
    {
        await using var serve = await ServeProcess.StartAsync(output, new Dictionary<string, string?>());

        using var http = new HttpClient();
        var twiml = await http.PostAsync($"{serve.BaseUrl}/twilio/voice", new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CA1" }));
        var body = await twiml.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, twiml.StatusCode);
        Assert.Contains($"<Stream url=\"ws://127.0.0.1:{serve.Port}/twilio/media\"", body);

        var caller = new FakeTwilioCaller(OneUtterance("What are your opening hours?"), new FakeCallerOptions(), TimeProvider.System);
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
        await using var serve = await ServeProcess.StartAsync(output, new Dictionary<string, string?>
        {
            ["TWILIO_AUTH_TOKEN"] = "secret",
            ["PUBLIC_BASE_URL"] = "https://voice.example.com",
        });

        using var http = new HttpClient();
        var webhook = await http.PostAsync($"{serve.BaseUrl}/twilio/voice", new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CA1" }));
        Assert.Equal(HttpStatusCode.Forbidden, webhook.StatusCode);

        var connector = new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero);
        var refused = await Assert.ThrowsAsync<ConnectFailedException>(() =>
            connector.ConnectAsync(new Uri($"ws://127.0.0.1:{serve.Port}/twilio/media"), new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(403, refused.HttpStatus);
    }

    [Fact]
    public async Task Serve_refuses_to_start_with_a_token_but_no_public_url_and_names_the_key()
    {
        var run = ServeProcess.Start(new Dictionary<string, string?> { ["TWILIO_AUTH_TOKEN"] = "secret", ["PUBLIC_BASE_URL"] = null }, 0);
        var exited = await run.Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token).ContinueWith(t => t.IsCompletedSuccessfully);
        Assert.True(exited, "serve should exit on a configuration error");
        Assert.Equal(2, run.Process.ExitCode);
        Assert.Contains("PublicBaseUrl", await run.Process.StandardError.ReadToEndAsync());
    }

    [Fact]
    public async Task Serve_refuses_bad_failover_thresholds_naming_each_key()
    {
        var run = ServeProcess.Start(new Dictionary<string, string?> { ["Failover__ResponseStallMs"] = "5", ["Failover__SlowTurnsInRow"] = "0" }, 0);
        var exited = await run.Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token).ContinueWith(t => t.IsCompletedSuccessfully);
        Assert.True(exited, "serve should exit on a configuration error");
        Assert.Equal(2, run.Process.ExitCode);
        var error = await run.Process.StandardError.ReadToEndAsync();
        Assert.Contains("Failover:ResponseStallMs must be 100-60000, got 5", error, StringComparison.Ordinal);
        Assert.Contains("Failover:SlowTurnsInRow must be 1-100, got 0", error, StringComparison.Ordinal);
    }

    private static short[] OneUtterance(string text)
    {
        var speech = new EspeakSynthesizer().SynthesizeMuLaw(text);
        var pcm = new short[speech.Length];
        G711.MuLawDecode(speech, pcm);
        return [.. new short[4000], .. pcm, .. new short[16000]];
    }

    /// <summary>The built voicebridge.dll (copied beside the tests) started as <c>serve</c> on a free loopback port.</summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly System.Text.StringBuilder _log = new();

        private ServeProcess(Process process, int port)
        {
            Process = process;
            Port = port;
        }

        public Process Process { get; }

        public int Port { get; }

        public string BaseUrl => $"http://127.0.0.1:{Port}";

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public static async Task<ServeProcess> StartAsync(ITestOutputHelper output, Dictionary<string, string?> environment)
        {
            var serve = Start(environment, FreePort());
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLine(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (serve._log)
                {
                    serve._log.AppendLine(line);
                }

                if (line.Contains("VoiceBridge serving on", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }

            serve.Process.OutputDataReceived += (_, e) => OnLine(e.Data);
            serve.Process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            serve.Process.BeginOutputReadLine();
            serve.Process.BeginErrorReadLine();
            try
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                output.WriteLine(serve.Log);
            }

            return serve;
        }

        public static ServeProcess Start(Dictionary<string, string?> environment, int port)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "voicebridge.dll"));
            info.ArgumentList.Add("serve");
            info.ArgumentList.Add("--urls");
            info.ArgumentList.Add($"http://127.0.0.1:{port}");
            info.ArgumentList.Add("--sip-listen");
            info.ArgumentList.Add("127.0.0.1:0");
            foreach (var name in new[] { "OPENAI_API_KEY", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "ASPNETCORE_URLS" })
            {
                info.Environment.Remove(name);
            }

            foreach (var (name, value) in environment)
            {
                if (value is null)
                {
                    info.Environment.Remove(name);
                }
                else
                {
                    info.Environment[name] = value;
                }
            }

            return new ServeProcess(Process.Start(info)!, port);
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync();
            }

            Process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
