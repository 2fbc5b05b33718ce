using System.CommandLine;
using Microsoft.Extensions.Configuration;
using VoiceBridge.Engines;

namespace VoiceBridge.Cli;

/// <summary>
/// The <c>--cost NAME=USD</c> option of <c>serve</c> and <c>replay</c>: an engine's cost per minute,
/// which orders the engines of a tier (the cheaper healthy one wins). Where else it may come from:
/// the configuration key <c>Engines:NAME:CostPerMinute</c> (<c>appsettings.json</c> in the working
/// directory, or the variable <c>Engines__NAME__CostPerMinute</c>); the option wins. Unset: the
/// defaults per named engine (<see cref="ChainSpec.RealtimeCostPerMinute"/>, <see cref="ChainSpec.StageCostPerMinute"/>).
/// </summary>
internal static class CostOption
{
    public static Option<string[]> Create() => new("--cost")
    {
        Description = "An engine's cost per minute in USD, NAME=USD (repeatable), e.g. --cost azure-realtime=0.25; the cheaper available engine of a tier is preferred "
            + "[Engines:NAME:CostPerMinute in appsettings.json or the environment, else the defaults in docs/failover.md]",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The chain with its costs from configuration, then the option; a bad one throws <see cref="FormatException"/> naming it.</summary>
    public static ChainSpec Apply(ChainSpec chain, ParseResult parse, Option<string[]> option) =>
        Apply(chain, parse.GetValue(option) ?? [], Configuration());

    /// <summary>For a verb that collects configuration errors: null when <paramref name="chain"/> is, or the costs are bad (the reason added to <paramref name="errors"/>).</summary>
    public static ChainSpec? Apply(ChainSpec? chain, ParseResult parse, Option<string[]> option, List<string> errors)
    {
        if (chain is null)
        {
            return null;
        }

        try
        {
            return Apply(chain, parse, option);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            errors.Add(e.Message);
            return null;
        }
    }

    /// <summary>
    /// Costs from <paramref name="configuration"/> (for the engines of this chain; others are
    /// ignored, a deployment may price engines it does not use), then <paramref name="assignments"/>
    /// (which must name engines of the chain).
    /// </summary>
    public static ChainSpec Apply(ChainSpec chain, IEnumerable<string> assignments, IConfiguration configuration)
    {
        var costs = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var engine in chain.Engines)
        {
            if (configuration[$"Engines:{engine.Name}:CostPerMinute"] is { } text)
            {
                costs[engine.Name] = ChainSpec.ParseCost(text, $"Engines:{engine.Name}:CostPerMinute");
            }
        }

        foreach (var (name, cost) in ChainSpec.ParseCosts(assignments))
        {
            if (!chain.Engines.Any(e => e.Name == name))
            {
                throw new FormatException($"--cost {name}=...: '{name}' is not an engine of the chain {chain} (engines: {string.Join(", ", chain.Engines.Select(e => e.Name))})");
            }

            costs[name] = cost;
        }

        return chain.WithCosts(costs);
    }

    private static IConfiguration Configuration() =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true).AddEnvironmentVariables().Build();
}
