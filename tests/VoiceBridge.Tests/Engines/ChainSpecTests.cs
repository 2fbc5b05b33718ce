using VoiceBridge.Engines;

namespace VoiceBridge.Tests.Engines;

/// <summary>The chain grammar: the original order syntax, tiers, labels, costs and their errors.</summary>
public sealed class ChainSpecTests
{
    [Theory]
    [InlineData("openai-realtime,azure-realtime,local")]
    [InlineData("openai-realtime -> azure-realtime -> local")]
    [InlineData(" openai-realtime , azure-realtime->local ")]
    public void The_original_syntax_makes_each_engine_a_tier_of_its_own_in_order(string text)
    {
        var chain = ChainSpec.Parse(text);

        Assert.Equal(["openai-realtime", "azure-realtime", "local"], chain.Engines.Select(e => e.Name));
        Assert.Equal([0, 1, 2], chain.Engines.Select(e => e.Tier));
        Assert.Equal(3, chain.TierCount);
        Assert.Equal("openai-realtime,azure-realtime,local", chain.ToString());
    }

    [Fact]
    public void Tiers_are_separated_by_bars_with_commas_inside_a_tier_and_optional_labels()
    {
        var chain = ChainSpec.Parse("tier1: openai-realtime, azure-realtime | tier2: cascade-remote | tier3: local");

        Assert.Equal(["openai-realtime", "azure-realtime", "cascade-remote", "local"], chain.Engines.Select(e => e.Name));
        Assert.Equal([0, 0, 1, 2], chain.Engines.Select(e => e.Tier));
        Assert.Equal(3, chain.Tiers.Count);
        Assert.Equal(["openai-realtime", "azure-realtime"], chain.Tiers[0].Select(e => e.Name));
        Assert.Equal(chain.Engines, ChainSpec.Parse("openai-realtime, azure-realtime | cascade-remote | local").Engines);
        Assert.Equal("tier1: openai-realtime, azure-realtime | tier2: cascade-remote | tier3: local", chain.ToString());
        Assert.Equal(chain.Engines, ChainSpec.Parse(chain.ToString()).Engines);
    }

    [Fact]
    public void A_label_alone_makes_one_tier_and_a_cascade_keeps_its_own_commas()
    {
        var one = ChainSpec.Parse("tier1: openai-realtime, azure-realtime");
        Assert.Equal([0, 0], one.Engines.Select(e => e.Tier));
        Assert.Equal(one.Engines, ChainSpec.Parse(one.ToString()).Engines);

        var chain = ChainSpec.Parse("openai-realtime | cascade(stt=deepgram, llm=claude, tts=elevenlabs), local");
        Assert.Equal(["openai-realtime", "cascade-deepgram-claude-elevenlabs", "local"], chain.Engines.Select(e => e.Name));
        Assert.Equal([0, 1, 1], chain.Engines.Select(e => e.Tier));
    }

    [Fact]
    public void Named_engines_have_documented_default_costs_and_a_cascade_costs_its_stages()
    {
        var chain = ChainSpec.Parse("openai-realtime, azure-realtime | cascade-remote | cascade(stt=openai,llm=openai,tts=openai) | local");
        var cost = chain.Engines.ToDictionary(e => e.Name, e => e.CostPerMinute);

        Assert.Equal(0.30m, cost["openai-realtime"]);
        Assert.Equal(0.30m, cost["azure-realtime"]);
        Assert.Equal(0.10m, cost["cascade-remote"]);
        Assert.Equal(0.031m, cost["cascade-openai-openai-openai"]);
        Assert.Equal(0m, cost["local"]);
        Assert.True(cost["openai-realtime"] > cost["cascade-remote"]);
    }

    [Fact]
    public void Costs_are_overridden_by_name()
    {
        var chain = ChainSpec.Parse("openai-realtime, azure-realtime | local")
            .WithCosts(ChainSpec.ParseCosts(["azure-realtime=0.2", " local = 0.01 "]));

        Assert.Equal([0.30m, 0.2m, 0.01m], chain.Engines.Select(e => e.CostPerMinute));
        Assert.Equal([0, 0, 1], chain.Engines.Select(e => e.Tier));
    }

    [Theory]
    [InlineData("openai-realtime | | local", "tier 2 is empty")]
    [InlineData("openai-realtime |", "tier 2 is empty")]
    [InlineData("| local", "tier 1 is empty")]
    [InlineData("tier1: | local", "tier 1 is empty")]
    [InlineData("", "the chain is empty")]
    [InlineData("openai-realtime | local, openai-realtime", "engine 'openai-realtime' appears twice (in tier 1 and tier 2)")]
    [InlineData("openai-realtime, openai-realtime | local", "engine 'openai-realtime' appears twice")]
    [InlineData("local,local", "engine 'local' appears twice")]
    [InlineData("tier2: openai-realtime | tier1: local", "the label 'tier2:' is on tier 1")]
    [InlineData("tierX: openai-realtime | local", "'tierX:' is not a tier label")]
    [InlineData("openai-realtime -> azure-realtime | local", "use either '|' between tiers")]
    [InlineData("openai-realtime, | local", "empty engine name")]
    [InlineData("openai-realtime | gemini", "unknown engine 'gemini'")]
    public void Bad_tiers_are_rejected_with_the_reason(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => ChainSpec.Parse(text));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("openai-realtime", "write NAME=USD")]
    [InlineData("=0.1", "write NAME=USD")]
    [InlineData("local=-1", "is not a cost per minute")]
    [InlineData("local=cheap", "is not a cost per minute")]
    [InlineData("local=1,5", "is not a cost per minute")]
    public void Bad_cost_options_are_rejected_with_the_reason(string assignment, string message)
    {
        var e = Assert.Throws<FormatException>(() => ChainSpec.ParseCosts([assignment]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_cost_for_an_engine_outside_the_chain_or_a_negative_one_is_rejected()
    {
        var chain = ChainSpec.Parse("openai-realtime,local");

        Assert.Contains("not an engine of the chain", Assert.Throws<FormatException>(() => chain.WithCosts(new Dictionary<string, decimal> { ["azure-realtime"] = 1m })).Message);
        Assert.Contains("is negative", Assert.Throws<FormatException>(() => chain.WithCosts(new Dictionary<string, decimal> { ["local"] = -0.5m })).Message);
    }
}
