using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using VoiceBridge.Load;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Load;

/// <summary>The soak verdict on synthetic samples: no time involved.</summary>
public sealed class SoakVerdictTests
{
    private static List<MemorySample> Line(double mbPerMinute, int count = 20, double everyS = 5) =>
        [.. Enumerable.Range(0, count).Select(i => new MemorySample(i * everyS, 100 + (mbPerMinute * i * everyS / 60), 80 + (mbPerMinute * i * everyS / 60 / 2)))];

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(-2.0)]
    public void The_slope_of_a_straight_line_is_its_growth(double mbPerMinute)
    {
        var slope = SoakVerdict.SlopePerMinute(Line(mbPerMinute), s => s.WorkingSetMb);

        Assert.Equal(mbPerMinute, slope!.Value, 6);
    }

    [Fact]
    public void A_sawtooth_without_trend_has_no_growth_but_first_versus_last_would_say_otherwise()
    {
        var samples = Enumerable.Range(0, 120).Select(i => new MemorySample(i * 5, 100 + (i % 4 * 10), 80)).ToList();

        var verdict = SoakVerdict.Of(samples, 0, framesLost: 0, maxGrowthMbPerMinute: 1);

        Assert.Equal(30, samples[^1].WorkingSetMb - samples[0].WorkingSetMb);
        Assert.True(Math.Abs(verdict.MemoryGrowthMbPerMinute!.Value) < 1, $"slope {verdict.MemoryGrowthMbPerMinute}");
        Assert.True(verdict.Passed, string.Join("; ", verdict.Failures));
    }

    [Fact]
    public void The_warm_up_climb_is_left_out()
    {
        var samples = Enumerable.Range(0, 30).Select(i => new MemorySample(i * 5, i < 6 ? 50 + (i * 10) : 110, 80)).ToList();

        var verdict = SoakVerdict.Of(samples, warmUpS: 30, framesLost: 0, maxGrowthMbPerMinute: 1);

        Assert.Equal(0, verdict.MemoryGrowthMbPerMinute!.Value, 6);
        Assert.Equal(24, verdict.SamplesAfterWarmUp);
        Assert.Equal(30, verdict.FirstAfterWarmUp!.Seconds);
        Assert.Equal(145, verdict.LastAfterWarmUp!.Seconds);
        Assert.True(verdict.Passed);
    }

    [Fact]
    public void Growth_at_or_above_the_limit_fails_and_says_by_how_much()
    {
        var verdict = SoakVerdict.Of(Line(2), 0, framesLost: 0, maxGrowthMbPerMinute: 1);

        Assert.False(verdict.Passed);
        Assert.Contains(verdict.Failures, f => f.Contains("grew 2.000 MB/min", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hump_then_a_creep_fails_on_the_later_half_though_the_whole_slope_is_flat()
    {
        // Up 100 MB over the first quarter, down 60 over the second, then up 3 MB/min to the end.
        var samples = Enumerable.Range(0, 120).Select(i => i * 5.0).Select(t => new MemorySample(
            t, t < 150 ? 200 + (t / 150 * 100) : t < 300 ? 300 - ((t - 150) / 150 * 60) : 240 + ((t - 300) / 60 * 3), 100)).ToList();

        var verdict = SoakVerdict.Of(samples, 0, framesLost: 0, maxGrowthMbPerMinute: 1);

        Assert.True(verdict.MemoryGrowthMbPerMinute < 1, $"whole slope {verdict.MemoryGrowthMbPerMinute}");
        Assert.Equal(3, verdict.LaterHalfGrowthMbPerMinute!.Value, 6);
        Assert.False(verdict.Passed);
        Assert.Contains(verdict.Failures, f => f.Contains("over the later half", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1L, "1 frames lost")]
    [InlineData(null, "frames lost unknown")]
    public void Lost_or_unknown_frames_fail(long? lost, string why)
    {
        var verdict = SoakVerdict.Of(Line(0), 0, lost, 1);

        Assert.False(verdict.Passed);
        Assert.Contains(verdict.Failures, f => f.StartsWith(why, StringComparison.Ordinal));
    }

    [Fact]
    public void Too_few_samples_after_the_warm_up_fail_rather_than_pass_unmeasured()
    {
        var verdict = SoakVerdict.Of(Line(0, count: 4), warmUpS: 10, framesLost: 0, maxGrowthMbPerMinute: 1);

        Assert.False(verdict.Passed);
        Assert.Equal(2, verdict.SamplesAfterWarmUp);
    }

    [Theory]
    [InlineData(600, 60)]
    [InlineData(120, 24)]
    [InlineData(15, 3)]
    public void The_warm_up_is_a_fifth_of_the_run_at_most_a_minute(int durationS, double warmUpS) =>
        Assert.Equal(warmUpS, SoakVerdict.WarmUpOf(durationS), 6);

    [Theory]
    [InlineData("VmRSS:\t  51200 kB\nRssAnon:\t 40960 kB\n", "RssAnon:", 40960L)]
    [InlineData("VmRSS:\t  51200 kB\n", "RssAnon:", null)]
    [InlineData("RssAnon:\t lots kB\n", "RssAnon:", null)]
    [InlineData("RssAnon:\t 12 MB\n", "RssAnon:", null)]
    public void Status_lines_parse_or_are_rejected(string status, string name, long? kb) =>
        Assert.Equal(kb, SoakRun.StatusKb(status, name));

    [Theory]
    [InlineData("# TYPE dotnet_total_memory_bytes gauge\ndotnet_total_memory_bytes 1048576\n", 1048576.0)]
    [InlineData("dotnet_total_memory_bytes_other 5\n", null)]
    [InlineData("dotnet_total_memory_bytes lots\n", null)]
    [InlineData("", null)]
    public void The_managed_heap_gauge_parses_or_is_absent(string exposition, double? value) =>
        Assert.Equal(value, SoakRun.GaugeValue(exposition, "dotnet_total_memory_bytes"));

    [Fact]
    public void The_managed_heap_slope_is_reported_only_when_every_sample_has_it()
    {
        var with = Line(0).Select(s => s with { GcHeapMb = 40 + (s.Seconds / 60 * 3) }).ToList();

        Assert.Equal(3, SoakVerdict.Of(with, 0, 0, 1).GcHeapGrowthMbPerMinute!.Value, 6);
        Assert.Null(SoakVerdict.Of(Line(0), 0, 0, 1).GcHeapGrowthMbPerMinute);
    }
}

/// <summary>
/// The CI smoke of the soak (the 200 x 600 s run is scripts/soak.sh): sim --load, serve and
/// <c>load --soak</c>, each a process, 4 calls for 12 s; the report carries the verdict and the
/// memory figures, no frame is lost, and the exit code is the verdict.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class SoakSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_short_soak_reports_growth_frames_lost_and_a_verdict_matching_its_exit_code()
    {
        var simPort = VoicebridgeProcess.FreePort();
        var servePort = VoicebridgeProcess.FreePort();
        var data = Directory.CreateTempSubdirectory("voicebridge-soak-");
        var report = Path.Combine(data.FullName, "soak.json");
        var log = new StringBuilder();
        using var sim = Start(log, "sim", "--load", "--urls", $"http://127.0.0.1:{simPort}");
        using var serve = Start(log, "serve", "--urls", $"http://127.0.0.1:{servePort}", "--realtime-url", $"ws://127.0.0.1:{simPort}/v1/realtime",
            "--sip-listen", "off", "--whip-off", "--data-dir", data.FullName);
        try
        {
            await Listening(simPort);
            await Listening(servePort);
            using var load = Start(log, "load", "--soak", "--server", $"ws://127.0.0.1:{servePort}/twilio/media", "--sim", $"http://127.0.0.1:{simPort}",
                "--pid", serve.Id.ToString(CultureInfo.InvariantCulture), "--metrics", $"http://127.0.0.1:{servePort}/metrics", "--calls", "4", "--duration", "12", "--idle", "1",
                "--recording", RepoPaths.Fixture("booking-ulaw8k.wav"), "--report", report);
            await load.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));

            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var verdict = doc.RootElement.GetProperty("verdict");
            foreach (var field in new[] { "rule", "passed", "failures", "warmUpS", "maxGrowthMbPerMinute", "memoryGrowthMbPerMinute", "laterHalfGrowthMbPerMinute", "privateGrowthMbPerMinute", "firstAfterWarmUp", "lastAfterWarmUp", "framesLost" })
            {
                Assert.True(verdict.TryGetProperty(field, out _), $"the verdict has {field}");
            }

            Assert.Equal(0, verdict.GetProperty("framesLost").GetInt64());
            Assert.Equal(JsonValueKind.Number, verdict.GetProperty("memoryGrowthMbPerMinute").ValueKind);
            Assert.Equal(JsonValueKind.Number, verdict.GetProperty("gcHeapGrowthMbPerMinute").ValueKind);
            Assert.True(verdict.GetProperty("samplesAfterWarmUp").GetInt32() >= 3, "memory was sampled after the warm-up");
            Assert.Equal(4, doc.RootElement.GetProperty("load").GetProperty("steps")[0].GetProperty("callsConnected").GetInt32());
            Assert.Equal(verdict.GetProperty("passed").GetBoolean() ? 0 : 1, load.ExitCode);
        }
        finally
        {
            foreach (var child in new[] { serve, sim })
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }

            lock (log)
            {
                output.WriteLine(log.ToString());
            }
        }
    }

    private static Process Start(StringBuilder log, params string[] args) =>
        VoicebridgeProcess.Launch(args, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "simulated" }, log);

    /// <summary>Waits (up to 30 s) until something accepts on the port: the child is up.</summary>
    private static async Task Listening(int port)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Yield();
                await new PeriodicTimer(TimeSpan.FromMilliseconds(200)).WaitForNextTickAsync(cts.Token);
            }
        }
    }
}
