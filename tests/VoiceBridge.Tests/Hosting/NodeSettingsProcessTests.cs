using System.Text;
using System.Text.Json;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Hosting;

/// <summary>
/// The configuration sections <c>serve</c> and <c>replay</c> bind (<c>Failover</c>,
/// <c>ProviderHealth</c>, <c>Realtime</c>), as an operator sets them: environment variables with
/// <c>__</c>, given to the built voicebridge as a process of its own.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class NodeSettingsProcessTests(ITestOutputHelper output)
{
    private static readonly string[] Quiet = ["--sip-listen", "off", "--whip-off", "--no-warm-up"];

    [Fact]
    public async Task Serve_refuses_an_unknown_key_and_bad_breaker_and_realtime_values_naming_each_key()
    {
        var (typo, typoLog) = await ServeProcess.RunToExitAsync(Quiet, new Dictionary<string, string> { ["Failover__ResponseStalMs"] = "3000" }, TimeSpan.FromSeconds(30));
        output.WriteLine(typoLog);
        Assert.Equal(2, typo);
        Assert.Contains("Failover:ResponseStalMs is not a setting", typoLog, StringComparison.Ordinal);

        var (bad, badLog) = await ServeProcess.RunToExitAsync(Quiet, new Dictionary<string, string>
        {
            ["ProviderHealth__FailureThreshold"] = "0",
            ["Realtime__ConfirmTimeout"] = "00:00:00.010",
            ["Realtime__SeedItemTokens"] = "-1",
        }, TimeSpan.FromSeconds(30));
        output.WriteLine(badLog);
        Assert.Equal(2, bad);
        Assert.Contains("ProviderHealth:FailureThreshold must be at least 1 (is 0)", badLog, StringComparison.Ordinal);
        Assert.Contains("Realtime:ConfirmTimeout must be 100 ms to 1 min", badLog, StringComparison.Ordinal);
        Assert.Contains("Realtime:SeedItemTokens must be 0-100000, got -1", badLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_starts_with_the_documented_keys_of_every_section()
    {
        await using var serve = await ServeProcess.StartAsync(output, "serve", [.. Quiet, "--data-dir", Directory.CreateTempSubdirectory("voicebridge-settings-").FullName], new Dictionary<string, string>
        {
            ["Failover__SessionLimits__openai-realtime"] = "00:30:00",
            ["Failover__ResponseStallMs"] = "3000",
            ["ProviderHealth__FailureThreshold"] = "3",
            ["ProviderHealth__Failback"] = "Never",
            ["Realtime__SeedItemTokens"] = "2000",
            ["Realtime__ConfirmTimeout"] = "00:00:03",
        });
        Assert.DoesNotContain("configuration error", serve.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_seeds_the_next_realtime_engine_within_the_configured_item_budget()
    {
        Assert.Equal((5, 0), await ReplaySeedingAsync(null));
        Assert.Equal((0, 5), await ReplaySeedingAsync("0"));
    }

    /// <summary>A virtual-clock replay of one fixture whose primary drops at its third reply: the switch's turns as items and summarised.</summary>
    private async Task<(int Items, int Summarised)> ReplaySeedingAsync(string? seedItemTokens)
    {
        var outDir = Directory.CreateTempSubdirectory("voicebridge-seeding-").FullName;
        var log = new StringBuilder();
        using var replay = VoicebridgeProcess.Launch(
            [
                "replay", RepoPaths.Fixture("booking-ulaw8k.wav"), "--clock", "virtual", "--chain", "openai-realtime,azure-realtime",
                "--fault", "primary:close@turn3", "--out-dir", outDir, "--data-dir", outDir, "--no-warm-up",
            ],
            seedItemTokens is null ? null : new Dictionary<string, string> { ["Realtime__SeedItemTokens"] = seedItemTokens },
            log);
        await replay.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        replay.WaitForExit();
        output.WriteLine(VoicebridgeProcess.Text(log));
        Assert.Equal(0, replay.ExitCode);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "report.json")));
        var sw = Assert.Single(report.RootElement.GetProperty("calls")[0].GetProperty("switches").EnumerateArray());
        return (sw.GetProperty("turnsAsItems").GetInt32(), sw.GetProperty("summarisedTurns").GetInt32());
    }
}
