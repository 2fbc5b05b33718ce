using System.CommandLine;
using Microsoft.Extensions.Configuration;
using VoiceBridge.Audit;

namespace VoiceBridge.Cli;

/// <summary>
/// The <c>--audit-postgres</c> option of <c>serve</c>, <c>replay</c> and <c>audit</c>, and where else the
/// audit log's PostgreSQL connection string may come from. The first set wins: the option,
/// <c>VOICEBRIDGE_AUDIT_POSTGRES</c>, then the configuration key <c>Audit:PostgresConnectionString</c>
/// (<c>appsettings.json</c> in the working directory, or the variable <c>Audit__PostgresConnectionString</c>).
/// None set: <c>audit.db</c> in the data directory.
/// </summary>
internal static class AuditStoreOption
{
    public const string OptionName = "--audit-postgres";
    public const string EnvironmentVariable = "VOICEBRIDGE_AUDIT_POSTGRES";

    public static Option<string?> Create() => new(OptionName)
    {
        Description = "PostgreSQL (Npgsql) connection string for the audit log, used instead of audit.db "
            + $"[{EnvironmentVariable}, else {AuditStore.PostgresKey} in appsettings.json or the environment]",
    };

    /// <summary>The store the verb's options and the process's configuration choose.</summary>
    public static AuditStore Resolve(ParseResult parse, Option<string> dataDir, Option<string?> postgres) =>
        Resolve(parse.GetValue(dataDir)!, parse.GetValue(postgres), Configuration);

    /// <summary>The store: <paramref name="option"/> if set, else what <paramref name="configuration"/> holds.</summary>
    public static AuditStore Resolve(string dataDir, string? option, Func<IConfiguration> configuration)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return new AuditStore(dataDir, option, OptionName);
        }

        var settings = configuration();
        return settings[EnvironmentVariable] is { } fromVariable && !string.IsNullOrWhiteSpace(fromVariable)
            ? new AuditStore(dataDir, fromVariable, EnvironmentVariable)
            : new AuditStore(dataDir, settings[AuditStore.PostgresKey], AuditStore.PostgresKey);
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
            throw new AuditStoreException(AuditStoreException.Reasons(e), e);
        }
    }
}
