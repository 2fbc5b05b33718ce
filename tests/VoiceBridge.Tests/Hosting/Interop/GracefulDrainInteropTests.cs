using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using VoiceBridge.Audit;
using VoiceBridge.Hosting;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Hosting.Interop;

/// <summary>
/// The acceptance test of the graceful drain: <c>voicebridge serve</c> as a process of its own
/// (embedded simulated primary, JSON logs, audit in its data directory), one Twilio call from the
/// fake carrier over loopback, SIGTERM while the call is in progress. The node refuses a new call
/// and says it is not ready, the call goes on to its end with every utterance answered, the
/// process exits 0, and the call's audit events are in the SQLite audit log.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class GracefulDrainInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Sigterm_mid_call_refuses_new_calls_lets_the_call_finish_flushes_the_audit_and_exits_0()
    {
        var dataDir = Directory.CreateTempSubdirectory("voicebridge-drain-").FullName;
        var log = new StringBuilder();
        using var serve = await StartServeAsync(dataDir, log);
        try
        {
            await DrainAndCheckAsync(serve, dataDir, log);
        }
        finally
        {
            lock (log)
            {
                output.WriteLine(log.ToString());
            }

            if (!serve.Process.HasExited)
            {
                serve.Process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task DrainAndCheckAsync(Serve serve, string dataDir, StringBuilder log)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{serve.Port}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(OperationsEndpoints.ReadyPath)).StatusCode);

        // The booking call's first two utterances (the recording up to the silence after the second, at 9 s).
        var recording = WavLoader.Load(RepoPaths.Fixture("booking-ulaw8k.wav")).Samples[..(9000 * 8)];
        var connector = new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero);
        var media = new Uri($"ws://127.0.0.1:{serve.Port}{WebHosts.TwilioMediaPath}");
        var sid = $"CA{Guid.NewGuid():N}";
        var call = new FakeTwilioCaller(recording, new FakeCallerOptions { CallSid = sid, ReplyIdle = TimeSpan.FromMilliseconds(1200) }, TimeProvider.System)
            .RunAsync(connector, media, new Dictionary<string, string>(), CancellationToken.None);

        // The call is in progress (its engine connected); every utterance is still to come.
        Assert.True(await TimeProvider.System.UntilAsync(() => Contains(log, "connected to") || call.IsCompleted, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(20)), "the call's engine connected");
        Assert.False(call.IsCompleted, "the call ended before the drain began");
        using (var kill = Process.Start("kill", ["-TERM", serve.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.True(await TimeProvider.System.UntilAsync(() => Contains(log, "draining: no new calls"), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10)), "the drain began");

        // A new call is refused (webhook and media upgrade), and the node is not ready.
        using (var webhook = await http.PostAsync(TwilioWebhookPath, new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CAnew" })))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, webhook.StatusCode);
            Assert.NotNull(webhook.Headers.RetryAfter);
        }

        var refused = await Assert.ThrowsAsync<ConnectFailedException>(() => connector.ConnectAsync(media, new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(503, refused.HttpStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(OperationsEndpoints.ReadyPath)).StatusCode);

        // The call in progress goes on to its end: every utterance answered, nothing broken.
        var heard = await call.WaitAsync(Bound);
        Assert.Empty(heard.Errors);
        Assert.Equal(2, heard.UtteranceEndsMs.Count);
        for (var u = 0; u < heard.UtteranceEndsMs.Count; u++)
        {
            Assert.True(Voiced(heard, u) > 4000, $"utterance {u + 1} was answered");
        }

        // Then the process exits 0, the audit flushed.
        await serve.Process.WaitForExitAsync().WaitAsync(Bound);
        Assert.Equal(0, serve.Process.ExitCode);
        var events = new AuditStore(dataDir).Query(null, null).Where(e => e.CallId == sid).ToList();
        var ended = Assert.Single(events, e => e.Kind == "call-ended");
        using (var details = JsonDocument.Parse(ended.DetailsJson))
        {
            Assert.True(details.RootElement.GetProperty("durationMs").GetInt64() > 8_000);
        }

        Assert.DoesNotContain(events, e => e.Kind == "hangup");

        // JSON logs: every line an event; the call's lines carry its id as a property.
        var lines = Lines(log).Where(l => l.StartsWith('{')).ToList();
        Assert.NotEmpty(lines);
        var callLines = lines.Select(l => JsonDocument.Parse(l)).Where(d => d.RootElement.TryGetProperty("CallId", out var id) && id.GetString() == sid).ToList();
        Assert.Contains(callLines, d => d.RootElement.GetProperty("SourceContext").GetString() == "VoiceBridge.Engines.Realtime.RealtimeEngine");
        Assert.Contains(lines, l => l.Contains("drained", StringComparison.Ordinal));
    }

    private const string TwilioWebhookPath = VoiceBridge.Legs.Twilio.TwilioEndpoints.VoicePath;

    /// <summary>Agent samples the caller heard (above a whisper) between the end of utterance <paramref name="u"/> and the end of the next, or of the call.</summary>
    private static int Voiced(FakeCallerResult call, int u)
    {
        var from = (int)Math.Min(call.AgentTrack.Length, call.UtteranceEndsMs[u] * 8);
        var to = u + 1 < call.UtteranceEndsMs.Count ? (int)Math.Min(call.AgentTrack.Length, call.UtteranceEndsMs[u + 1] * 8) : call.AgentTrack.Length;
        var voiced = 0;
        foreach (var sample in call.AgentTrack.AsSpan(from, Math.Max(0, to - from)))
        {
            voiced += Math.Abs((int)sample) > 300 ? 1 : 0;
        }

        return voiced;
    }

    private static bool Contains(StringBuilder log, string text)
    {
        lock (log)
        {
            return log.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    private static string[] Lines(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }

    private sealed record Serve(Process Process, int Port) : IDisposable
    {
        public void Dispose() => Process.Dispose();
    }

    /// <summary>The built voicebridge.dll as <c>serve</c> on a free loopback port: JSON logs, SIP off, a 40 s drain, no warm-up call (no timing is judged here).</summary>
    private static async Task<Serve> StartServeAsync(string dataDir, StringBuilder log)
    {
        var port = VoicebridgeProcess.FreePort();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = VoicebridgeProcess.Launch(
            [
                "serve", "--urls", $"http://127.0.0.1:{port}", "--sip-listen", "off",
                "--chain", "openai-realtime,local", "--data-dir", dataDir, "--log-format", "json", "--drain-timeout", "40", "--no-warm-up",
            ],
            null,
            log,
            line =>
            {
                if (line.Contains("VoiceBridge serving on", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            });
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new Serve(process, port);
    }
}
