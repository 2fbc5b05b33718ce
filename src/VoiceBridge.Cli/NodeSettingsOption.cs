using System.CommandLine;
using Microsoft.Extensions.Configuration;
using VoiceBridge.Hosting;

namespace VoiceBridge.Cli;

/// <summary>
/// The configuration sections of <c>serve</c> and <c>replay</c> (<see cref="NodeSettings"/>:
/// <c>Failover</c>, <c>ProviderHealth</c>, <c>Realtime</c>) from <c>appsettings.json</c> in the
/// working directory, or variables such as <c>Failover__ResponseStallMs</c>; and the
/// <c>--warm-standby</c> option, which wins over <c>Failover:WarmStandby</c>.
/// </summary>
internal static class NodeSettingsOption
{
    public static Option<bool?> CreateWarmStandbyOption() => new("--warm-standby")
    {
        Description = "Keep the next engine of the chain connected and ready while the active one works [Failover:WarmStandby, else off]",
    };

    /// <summary>The settings, validated; a bad one throws <see cref="FormatException"/> naming every bad key.</summary>
    public static NodeSettings Load(ParseResult parse, Option<bool?> warmStandby) => Load(Configuration(), parse.GetValue(warmStandby));

    public static NodeSettings Load(IConfiguration configuration, bool? warmStandby)
    {
        var settings = NodeSettings.Load(configuration);
        if (warmStandby is { } warm)
        {
            settings.Failover.WarmStandby = warm;
        }

        return settings;
    }

    private static IConfiguration Configuration()
    {
        var appSettings = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        try
        {
            return new ConfigurationBuilder().AddJsonFile(appSettings, optional: true).AddEnvironmentVariables().Build();
        }
        catch (InvalidDataException e)
        {
            throw new FormatException($"{appSettings}: {e.Message}", e);
        }
    }
}
