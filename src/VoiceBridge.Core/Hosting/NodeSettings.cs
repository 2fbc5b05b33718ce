using System.Reflection;
using Microsoft.Extensions.Configuration;
using VoiceBridge.Call;
using VoiceBridge.Engines.Health;
using VoiceBridge.Engines.Realtime;

namespace VoiceBridge.Hosting;

/// <summary>
/// The configuration sections <c>serve</c> and <c>replay</c> bind (from <c>appsettings.json</c> or
/// variables such as <c>ProviderHealth__FailureThreshold</c>): <c>Failover</c>
/// (<see cref="FailoverOptions"/>), <c>ProviderHealth</c> (<see cref="ProviderHealthOptions"/>) and
/// <c>Realtime</c> (the tuning of every Realtime engine, <see cref="RealtimeEngineOptions.Settable"/>).
/// A key a section does not have (a typo such as <c>Failover:ResponseStalMs</c>), a value of the
/// wrong type and a value out of range are errors naming the key.
/// </summary>
public sealed class NodeSettings
{
    /// <summary>The engines whose provider sessions expire (<see cref="FailoverOptions.SessionLimits"/>' keys).</summary>
    private static readonly string[] SessionLimited = ["openai-realtime", "azure-realtime"];

    public FailoverOptions Failover { get; } = new();

    public ProviderHealthOptions Health { get; } = new();

    /// <summary>The Realtime tuning; each engine's endpoint, key and model are set by the verb (<see cref="RealtimeEngineOptions.For"/>).</summary>
    public RealtimeEngineOptions Realtime { get; } = new();

    /// <summary>The settings, bound and validated; throws <see cref="FormatException"/> naming every bad key.</summary>
    public static NodeSettings Load(IConfiguration configuration)
    {
        var settings = new NodeSettings();
        var errors = new List<string>();
        Bind(configuration, "Failover", settings.Failover, Keys(typeof(FailoverOptions)), errors);
        foreach (var engine in configuration.GetSection("Failover:SessionLimits").GetChildren().Select(c => c.Key))
        {
            if (!SessionLimited.Contains(engine, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"Failover:SessionLimits:{engine} names no engine with provider sessions ({string.Join(", ", SessionLimited)})");
            }
        }

        Bind(configuration, "ProviderHealth", settings.Health, Keys(typeof(ProviderHealthOptions)), errors);
        Bind(configuration, "Realtime", settings.Realtime, RealtimeEngineOptions.Settable, errors);
        errors.AddRange(settings.Failover.Validate());
        errors.AddRange(settings.Health.Validate());
        errors.AddRange(settings.Realtime.ValidateTuning());
        return errors.Count == 0 ? settings : throw new FormatException(string.Join("; ", errors));
    }

    private static void Bind(IConfiguration configuration, string name, object options, IReadOnlyList<string> keys, List<string> errors)
    {
        var section = configuration.GetSection(name);
        var unknown = section.GetChildren().Select(c => c.Key).Where(k => !keys.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        foreach (var key in unknown)
        {
            errors.Add($"{name}:{key} is not a setting ({name}'s keys: {string.Join(", ", keys)})");
        }

        if (unknown.Count > 0)
        {
            return;
        }

        try
        {
            section.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"{name}: {e.Message}");
        }
    }

    private static string[] Keys(Type options) =>
        [.. options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true).Select(p => p.Name)];
}
