using System.Globalization;
using Microsoft.Playwright;
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

namespace VoiceBridge.Tests.Hosting.Interop;

/// <summary>
/// The demo page in a real browser: Playwright drives Debian's headless Chromium (never a downloaded
/// one), whose fake microphone plays the fixture, against the page, WHIP, the live feed and the drill
/// served in-process the way <c>serve</c> maps them. The caller clicks Call, the agent's reply shows
/// as a caption, the operator forces a failover, the page shows the switch, and the browser's own
/// <c>getStats()</c> sees the agent's audio keep arriving on one SSRC before and after it.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class DemoPagePlaywrightTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Token = "demo-token";
    private const float WaitMs = 30_000;

    [Fact]
    public async Task A_call_from_the_demo_page_shows_captions_and_a_forced_failover_while_audio_flows_on_one_ssrc()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var loggers = new TestLoggerFactory(output);
        await using var env = await ReplayEnvironment.StartLoopbackAsync(ChainSpec.Default, new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, loggers);
        env.Control.AddTranscriptHints(["Hello, I would like to book an appointment.", "Tomorrow afternoon, if possible."]);
        await using var sessions = env.Bridge.CreateWebRtcSessions(new WebRtcOptions(), UdpDatagramNetwork.Instance, DtlsCertificate.CreateSelfSigned(TimeProvider.System));
        await using var web = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a =>
        {
            a.MapWhip(new WhipOptions { BearerToken = Token }, sessions);
            a.MapCallEvents(env.Bridge.Registry, Token);
        });
        string directory = Directory.CreateTempSubdirectory("demo-page-").FullName;
        try
        {
            short[] caller = InteropAudio.Spaced("booking-ulaw8k.wav", TimeSpan.FromSeconds(6), utterances: 2);
            string wav = Path.Combine(directory, "caller.wav");
            CallRecordingWriter.WriteMono(wav, caller, CallClock.SampleRate);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Timeout = WaitMs,
                Args = ["--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                    $"--use-file-for-fake-audio-capture={wav}", "--allow-loopback-in-peer-connection"],
            });
            var context = await browser.NewContextAsync(new() { Permissions = ["microphone"], ViewportSize = new() { Width = 900, Height = 800 } });
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout(WaitMs);
            page.Console += (_, m) => output.WriteLine($"page: {m.Text}");

            await page.GotoAsync(web.Urls.First());
            await page.FillAsync("#token", Token);
            await page.ClickAsync("#call");

            // The agent's first reply, as a caption, from the first engine.
            var first = await page.WaitForSelectorAsync(".caption.agent[data-final=true]");
            output.WriteLine($"first reply: {await first!.InnerTextAsync()}");
            var engineBefore = await page.InnerTextAsync("#engine");
            long before = await GrowingPacketsAsync(page, 0);

            await page.ClickAsync("#drill");
            var shown = await page.WaitForSelectorAsync(".switch[data-handoff]");
            string switchText = await shown!.InnerTextAsync();
            output.WriteLine(switchText);
            Assert.Contains("(drill)", switchText, StringComparison.Ordinal);
            var engineAfter = await page.InnerTextAsync("#engine");
            Assert.NotEqual(engineBefore, engineAfter);
            await page.WaitForSelectorAsync($".caption.agent[data-final=true] >> text=({engineAfter})");
            long after = await GrowingPacketsAsync(page, before);
            output.WriteLine($"inbound audio packets: {before} before the switch, {after} after");

            string ssrcs = await page.GetAttributeAsync("#stats", "data-ssrcs") ?? "";
            Assert.Single(ssrcs.Split(','));

            string artifacts = Path.Combine(RepoPaths.Root, "artifacts", "interop");
            Directory.CreateDirectory(artifacts);
            await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "demo-page.png"), FullPage = true });

            await page.ClickAsync("#hangup");
            CallSummary summary = await env.Bridge.Registry.WhenFirstEnded.WaitAsync(TimeSpan.FromSeconds(15));
            foreach (var t in summary.Turns)
            {
                output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {t.Text}");
            }

            // Both utterances of the fixture were heard, and each was answered.
            var turns = summary.Turns.Where(t => t.Dtmf is null).ToList();
            Assert.True(turns.Count(t => t.Role == TurnRole.User) >= 2, "the bridge did not hear both utterances");
            Assert.All(
                turns.Select((t, i) => (Turn: t, Index: i)).Where(x => x.Turn.Role == TurnRole.User).Take(2),
                x => Assert.Contains(turns.Skip(x.Index + 1), t => t.Role == TurnRole.Assistant && t.AudioMs > 0));
            var sw = Assert.Single(summary.Switches!);
            Assert.Equal(("drill", engineBefore, engineAfter), (sw.Reason, sw.From, sw.To));
            Assert.Contains(summary.Turns, t => t.Role == TurnRole.Assistant && t.Engine == engineBefore && t.AudioMs > 0);
            Assert.Contains(summary.Turns, t => t.Role == TurnRole.Assistant && t.Engine == engineAfter && t.AudioMs > 0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Waits until the page's getStats() count of inbound audio packets passes <paramref name="than"/> by a second's worth; returns it.</summary>
    private static async Task<long> GrowingPacketsAsync(IPage page, long than)
    {
        await page.WaitForFunctionAsync("min => Number(document.getElementById('stats').dataset.packets || 0) > min", than + 50);
        return long.Parse(await page.GetAttributeAsync("#stats", "data-packets") ?? "0", CultureInfo.InvariantCulture);
    }
}
