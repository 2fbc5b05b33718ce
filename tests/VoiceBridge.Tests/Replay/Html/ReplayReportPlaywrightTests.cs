using System.Globalization;
using Microsoft.Playwright;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Replay.Html;
using VoiceBridge.Tests.Failover;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay.Html;

/// <summary>
/// The HTML report of a real replay in a real browser: the booking fixture replayed in virtual
/// time with the primary's socket closed at its second reply, the page written, then opened by
/// Debian's headless Chromium through Playwright (never a downloaded browser). The DOM must hold
/// the call's timeline with its three lanes and the switch's markers where the report says, and
/// the page must log no error (its policy forbids scripts and fetches, so a violation would show).
/// A full-page screenshot goes to artifacts/interop/replay-report.png.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class ReplayReportPlaywrightTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const float WaitMs = 30_000;

    [Fact]
    public async Task The_report_of_a_failover_replay_shows_its_timeline_lanes_and_switch_markers_in_chromium()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var fault = FaultSpec.Parse("primary:close@turn2");
        var call = FailoverReplay.Run(output, "booking-ulaw8k.wav", [fault], "openai-realtime,azure-realtime") with { Faults = [fault.ToString()] };
        var sw = Assert.Single(call.Switches);
        var report = HtmlReportSamples.Report(call);

        string artifacts = Path.Combine(RepoPaths.Root, "artifacts", "interop");
        Directory.CreateDirectory(artifacts);
        string path = Path.Combine(artifacts, "replay-report.html");
        ReplayHtmlReport.Write(report, path);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Timeout = WaitMs,
            Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(WaitMs);
        var problems = new List<string>();
        page.Console += (_, m) =>
        {
            output.WriteLine($"page {m.Type}: {m.Text}");
            if (m.Type == "error")
            {
                problems.Add(m.Text);
            }
        };
        page.PageError += (_, e) => problems.Add(e);

        await page.GotoAsync(new Uri(path).AbsoluteUri);

        var timeline = page.Locator("#timeline-1");
        Assert.True(await timeline.IsVisibleAsync(), "the call's timeline is not shown");
        foreach (var lane in new[] { "caller", "agent", "engine" })
        {
            int drawn = await timeline.Locator($"g[data-lane={lane}] rect:not(.lane-bg)").CountAsync();
            output.WriteLine($"lane {lane}: {drawn} spans");
            Assert.True(drawn > 0, $"the {lane} lane is empty");
        }

        var engines = await timeline.Locator("g[data-lane=engine] rect.engine").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.engine)");
        Assert.Equal(["openai-realtime", "azure-realtime"], engines.Distinct());

        var svgLeft = (await timeline.BoundingBoxAsync())!.X;
        var axis = TimelineSvg.AxisOf(call);
        foreach (var (kind, ms) in new[] { ("fault", sw.FaultAtMs!.Value), ("detection", sw.DetectedAtMs), ("first-audio", sw.FirstFallbackAudioAtMs!.Value) })
        {
            var marker = timeline.Locator($"line.marker.{kind}[data-switch='1']");
            Assert.Equal(1, await marker.CountAsync());
            Assert.Equal(ms.ToString(CultureInfo.InvariantCulture), await marker.GetAttributeAsync("data-ms"));

            // Where the browser laid the marker out, against where the call's clock puts it.
            var box = (await marker.BoundingBoxAsync())!;
            double drawnAt = box.X + (box.Width / 2) - svgLeft;
            output.WriteLine($"{kind}: {ms} ms at x {drawnAt:0.0}");
            Assert.Equal(TimelineSvg.X(ms, axis), drawnAt, 1.5);
        }

        var label = await timeline.Locator("text.switch-label[data-switch='1']").TextContentAsync() ?? "";
        Assert.Contains($"handoff {sw.HandoffMs} ms", label, StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("table.switches").CountAsync());
        Assert.Equal(2, await page.Locator("figure.distribution svg").CountAsync());
        Assert.Equal(1, await page.Locator("#switch-1-1 line.marker.detection").CountAsync());
        Assert.Equal("primary:close@turn2", await page.Locator("#call-1 code.fault").TextContentAsync());

        await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "replay-report.png"), FullPage = true });
        Assert.Empty(problems);
    }
}
