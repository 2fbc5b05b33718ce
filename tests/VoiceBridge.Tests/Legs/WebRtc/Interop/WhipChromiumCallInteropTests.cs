using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Hosting;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Legs.Sip.Interop;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.WebRtc.Interop;

/// <summary>
/// Headless Chromium places a real call through our WHIP endpoint: its fake microphone plays a fixture, ICE
/// nominates our loopback candidate, DTLS-SRTP completes against our server, and the page samples
/// <c>getStats()</c> every second: the agent's inbound audio must keep arriving on one SSRC, and the bridge
/// must hear the caller's utterances.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class WhipChromiumCallInteropTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Token = "interop-token";

    private const string Page = """
        <!doctype html><html><body><pre id="out">pending</pre><script>
        const done = r => document.getElementById('out').textContent = JSON.stringify(r);
        const sleep = ms => new Promise(r => setTimeout(r, ms));
        (async () => {
          const r = { samples: [] };
          try {
            const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
            const pc = new RTCPeerConnection();
            stream.getTracks().forEach(t => pc.addTrack(t, stream));
            await pc.setLocalDescription(await pc.createOffer());
            const headers = { 'Content-Type': 'application/sdp', 'Authorization': 'Bearer TOKEN' };
            const post = await fetch('WHIP_URL', { method: 'POST', headers, body: pc.localDescription.sdp });
            r.post = post.status; r.location = post.headers.get('Location');
            await pc.setRemoteDescription({ type: 'answer', sdp: await post.text() });
            for (let i = 0; i < SECONDS; i++) {
              await sleep(1000);
              const stats = await pc.getStats();
              stats.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') r.samples.push({ t: i, ssrc: s.ssrc, packets: s.packetsReceived, state: pc.connectionState }); });
            }
            r.state = pc.connectionState;
            const del = await fetch(new URL(r.location, 'WHIP_URL'), { method: 'DELETE', headers: { 'Authorization': 'Bearer TOKEN' } });
            r.delete = del.status;
            pc.close();
          } catch (e) { r.error = String(e); }
          done(r);
        })();
        </script></body></html>
        """;

    [Fact]
    public async Task Chromium_calls_through_whip_and_hears_the_agent_on_one_ssrc_while_the_bridge_hears_it()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium");
        var loggers = new TestLoggerFactory(output);
        await using var env = await ReplayEnvironment.StartLoopbackAsync(ChainSpec.Default, new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, loggers);
        env.Control.AddTranscriptHints(["Hello, I would like to book an appointment.", "Tomorrow afternoon, if possible."]);
        await using var sessions = env.Bridge.CreateWebRtcSessions(new WebRtcOptions(), UdpDatagramNetwork.Instance, DtlsCertificate.CreateSelfSigned(TimeProvider.System));
        await using var whip = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapWhip(new WhipOptions { BearerToken = Token }, sessions));
        string directory = Directory.CreateTempSubdirectory("whip-chromium-call-").FullName;
        try
        {
            short[] caller = InteropAudio.Spaced("booking-ulaw8k.wav", TimeSpan.FromSeconds(6), utterances: 2);
            string wav = Path.Combine(directory, "caller.wav");
            CallRecordingWriter.WriteMono(wav, caller, CallClock.SampleRate);
            int seconds = (int)(caller.Length / CallClock.SampleRate) + 2;
            string page = Path.Combine(directory, "call.html");
            await File.WriteAllTextAsync(page, Page
                .Replace("WHIP_URL", new Uri(new Uri(whip.Urls.First()), "/whip").ToString(), StringComparison.Ordinal)
                .Replace("TOKEN", Token, StringComparison.Ordinal)
                .Replace("SECONDS", seconds.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            int port = FreePort();
            await using ExternalTool browser = ExternalTool.Start(Chromium, [
                "--headless=new", "--no-sandbox", "--disable-gpu", $"--user-data-dir={Path.Combine(directory, "profile")}",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-audio-capture={wav}",
                "--allow-loopback-in-peer-connection", $"--remote-debugging-port={port}", "file://" + page]);
            await using ExternalTool poll = ExternalTool.Start("node", [
                "--experimental-websocket", Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Legs", "WebRtc", "Interop", "whip-cdp-poll.js"),
                port.ToString(CultureInfo.InvariantCulture), (seconds + 30).ToString(CultureInfo.InvariantCulture)]);
            int exit = await poll.WaitAsync(TimeSpan.FromSeconds(seconds + 60));
            output.WriteLine(poll.Output);
            Assert.Equal(0, exit);

            string json = poll.Output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..];
            using JsonDocument result = JsonDocument.Parse(json);
            JsonElement r = result.RootElement;
            Assert.False(r.TryGetProperty("error", out JsonElement error), error.ToString());
            Assert.Equal(201, r.GetProperty("post").GetInt32());
            Assert.Equal("connected", r.GetProperty("state").GetString());
            Assert.Equal(200, r.GetProperty("delete").GetInt32());
            var samples = r.GetProperty("samples").EnumerateArray().Select(s => (Ssrc: s.GetProperty("ssrc").GetUInt32(), Packets: s.GetProperty("packets").GetInt64())).ToList();
            Assert.True(samples.Count >= seconds - 2, $"only {samples.Count} getStats samples had inbound audio");
            Assert.Single(samples.Select(s => s.Ssrc).Distinct());
            Assert.All(samples.Zip(samples.Skip(1)), pair => Assert.True(pair.Second.Packets > pair.First.Packets, $"packetsReceived stalled at {pair.First.Packets}"));
            Assert.InRange(samples[^1].Packets, (seconds - 3) * 50 * 8 / 10, long.MaxValue);

            CallSummary summary = await env.Bridge.Registry.WhenFirstEnded.WaitAsync(TimeSpan.FromSeconds(10));
            foreach (var t in summary.Turns)
            {
                output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {t.Text}");
            }

            Assert.Equal("webrtc", summary.Leg);
            Assert.True(summary.Turns.Count(t => t.Role == TurnRole.User) >= 2, "the bridge did not hear both utterances from Chromium's microphone");
            Assert.Contains(summary.Turns, t => t.Role == TurnRole.Assistant && t.AudioMs > 0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
