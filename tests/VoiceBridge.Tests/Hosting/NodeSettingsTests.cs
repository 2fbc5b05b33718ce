using Microsoft.Extensions.Configuration;
using VoiceBridge.Engines.Health;
using VoiceBridge.Hosting;

namespace VoiceBridge.Tests.Hosting;

/// <summary>The sections a node binds, from configuration as <c>serve</c> and <c>replay</c> build it.</summary>
public sealed class NodeSettingsTests
{
    [Fact]
    public void Every_section_is_bound_and_keys_are_case_insensitive()
    {
        var settings = NodeSettings.Load(Configuration(new()
        {
            ["Failover:SessionLimits:openai-realtime"] = "00:30:00",
            ["ProviderHealth:FailureThreshold"] = "3",
            ["providerhealth:failback"] = "Never",
            ["Realtime:ConfirmTimeout"] = "00:00:03",
            ["Realtime:SeedItemTokens"] = "2000",
            ["Realtime:SeedSummaryTokens"] = "500",
        }));

        Assert.Equal(TimeSpan.FromMinutes(30), settings.Failover.SessionLimit("openai-realtime"));
        Assert.Equal(3, settings.Health.FailureThreshold);
        Assert.Equal(FailbackMode.Never, settings.Health.Failback);
        Assert.Equal((TimeSpan.FromSeconds(3), 2000, 500), (settings.Realtime.ConfirmTimeout, settings.Realtime.SeedItemTokens, settings.Realtime.SeedSummaryTokens));
    }

    [Fact]
    public void An_engine_setting_in_the_realtime_section_and_a_wrongly_typed_value_are_refused_by_key()
    {
        var error = Assert.Throws<FormatException>(() => NodeSettings.Load(Configuration(new()
        {
            ["Realtime:ApiKey"] = "sk-in-a-file",
            ["ProviderHealth:FailureWindow"] = "a minute",
        })));

        Assert.Contains("Realtime:ApiKey is not a setting", error.Message, StringComparison.Ordinal);
        Assert.Contains("ProviderHealth:FailureWindow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_limit_is_for_an_engine_with_provider_sessions_named_in_any_case()
    {
        var settings = NodeSettings.Load(Configuration(new() { ["Failover:SessionLimits:OpenAI-Realtime"] = "00:20:00" }));
        var error = Assert.Throws<FormatException>(() => NodeSettings.Load(Configuration(new() { ["Failover:SessionLimits:openai-realtim"] = "00:20:00" })));

        Assert.Equal(TimeSpan.FromMinutes(20), settings.Failover.SessionLimit("openai-realtime"));
        Assert.Contains("Failover:SessionLimits:openai-realtim names no engine with provider sessions", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
