using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Tests.Legs.Sip.Interop;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.WebRtc.Interop;

/// <summary>
/// Headless Chromium (Debian's /usr/bin/chromium) as the WHIP client: a page on another origin
/// (file://) POSTs its real offer with a bearer token through a CORS preflight, applies our answer
/// with setRemoteDescription, reads the exposed Location and DELETEs it. No media flows (the fake
/// sessions run no ICE); this proves Chromium accepts the signalling and the SDP we write.
/// </summary>
[Trait("Category", "Interop")]
public sealed class WhipChromiumInteropTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Token = "interop-token";

    private const string Page = """
        <!doctype html><html><body><pre id="out">pending</pre><script>
        const done = r => document.getElementById('out').textContent = JSON.stringify(r);
        (async () => {
          const r = {};
          try {
            const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: VIDEO });
            const pc = new RTCPeerConnection();
            stream.getTracks().forEach(t => pc.addTrack(t, stream));
            await pc.setLocalDescription(await pc.createOffer());
            r.offered = pc.localDescription.sdp.split('\r\n').filter(l => l.startsWith('m=')).map(l => l.split(' ')[0]);
            const headers = { 'Content-Type': 'application/sdp', 'Authorization': 'Bearer TOKEN' };
            const post = await fetch('WHIP_URL', { method: 'POST', headers, body: pc.localDescription.sdp });
            r.post = post.status; r.location = post.headers.get('Location');
            const answer = await post.text();
            await pc.setRemoteDescription({ type: 'answer', sdp: answer });
            r.signaling = pc.signalingState;
            r.transceivers = pc.getTransceivers().map(t => t.currentDirection);
            const del = await fetch(new URL(r.location, 'WHIP_URL'), { method: 'DELETE', headers: { 'Authorization': 'Bearer TOKEN' } });
            r.delete = del.status;
            pc.close();
          } catch (e) { r.error = String(e); }
          done(r);
        })();
        </script></body></html>
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Chromium_posts_its_offer_and_accepts_our_answer(bool withVideo)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium");
        var sessions = new WhipEndpointsTests.FakeSessions();
        await using LoopbackServer server = await LoopbackServer.StartAsync(app => app.MapWhip(new WhipOptions { BearerToken = Token }, sessions));
        string directory = Directory.CreateTempSubdirectory("whip-chromium-").FullName;
        try
        {
            string page = Path.Combine(directory, "whip.html");
            await File.WriteAllTextAsync(page, Page
                .Replace("WHIP_URL", new Uri(server.HttpBase, "/whip").ToString(), StringComparison.Ordinal)
                .Replace("TOKEN", Token, StringComparison.Ordinal)
                .Replace("VIDEO", withVideo ? "true" : "false", StringComparison.Ordinal));
            int port = FreePort();
            await using ExternalTool browser = ExternalTool.Start(Chromium, [
                "--headless=new", "--no-sandbox", "--disable-gpu", $"--user-data-dir={Path.Combine(directory, "profile")}",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--allow-loopback-in-peer-connection",
                $"--remote-debugging-port={port}", "file://" + page]);
            await using ExternalTool poll = ExternalTool.Start("node", [
                "--experimental-websocket", Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Legs", "WebRtc", "Interop", "whip-cdp-poll.js"),
                port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            int exit = await poll.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine(poll.Output);
            Assert.Equal(0, exit);

            string json = poll.Output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal))["RESULT ".Length..];
            using JsonDocument result = JsonDocument.Parse(json);
            JsonElement r = result.RootElement;
            Assert.False(r.TryGetProperty("error", out JsonElement error), error.ToString());
            Assert.Equal(201, r.GetProperty("post").GetInt32());
            Assert.Equal("/whip/session-1", r.GetProperty("location").GetString());
            Assert.Equal("stable", r.GetProperty("signaling").GetString());
            Assert.Equal(withVideo ? ["m=audio", "m=video"] : ["m=audio"], r.GetProperty("offered").EnumerateArray().Select(e => e.GetString()));

            // A rejected m-line stops its transceiver, and Chromium drops stopped transceivers from the list.
            Assert.Equal(["sendrecv"], r.GetProperty("transceivers").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(200, r.GetProperty("delete").GetInt32());
            Assert.Equal(WebRtcOfferSetup.ActPass, sessions.Offers.Single().Setup);
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
