using System.CommandLine;
using Microsoft.Extensions.Configuration;
using VoiceBridge.Call;

namespace VoiceBridge.Cli;

/// <summary>
/// The failover triggers' thresholds (<see cref="FailoverOptions"/>, FAILOVER.md's defaults) for
/// <c>serve</c> and <c>replay</c>: the configuration section <c>Failover</c> (<c>appsettings.json</c>
/// in the working directory, or variables such as <c>Failover__ResponseStallMs</c>), and the
/// <c>--warm-standby</c> option, which wins over <c>Failover:WarmStandby</c>.
/// </summary>
internal static class FailoverSettings
{
    public static Option<bool?> CreateWarmStandbyOption() => new("--warm-standby")
    {
        Description = "Keep the next engine of the chain connected and ready while the active one works [Failover:WarmStandby, else off]",
    };

    /// <summary>The options, validated; a bad value throws <see cref="FormatException"/> naming every bad key.</summary>
    public static FailoverOptions Load(ParseResult parse, Option<bool?> warmStandby) => Load(Configuration(), parse.GetValue(warmStandby));

    public static FailoverOptions Load(IConfiguration configuration, bool? warmStandby)
    {
        var options = new FailoverOptions();
        try
        {
            configuration.GetSection("Failover").Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"Failover: {e.Message}", e);
        }

        if (warmStandby is { } warm)
        {
            options.WarmStandby = warm;
        }

        var errors = options.Validate();
        return errors.Count == 0 ? options : throw new FormatException(string.Join("; ", errors));
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
