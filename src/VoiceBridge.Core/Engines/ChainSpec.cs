using System.Globalization;

namespace VoiceBridge.Engines;

/// <summary>
/// A failover chain as written in configuration and on the command line: quality tiers of named
/// engines. Tiers are separated by <c>|</c> and the engines of one tier by commas, each tier
/// optionally labelled <c>tierN:</c> (N its position, from 1):
/// <c>tier1: openai-realtime, azure-realtime | tier2: cascade-remote | tier3: local</c>.
/// Without <c>|</c> or a label (the original syntax, <c>a,b,c</c> or <c>a -&gt; b -&gt; c</c>) every
/// engine is a tier of its own, in order. An engine is a named one (<c>openai-realtime</c>,
/// <c>azure-realtime</c>, <c>local</c>, <c>cascade-remote</c>) or an explicit cascade
/// <c>cascade(stt=deepgram,llm=claude,tts=elevenlabs)</c>.
/// One naming grammar everywhere (config, --chain, --fault, drills): an engine by name, a stage
/// as <c>NAME.stt|.llm|.tts</c>.
/// </summary>
public sealed record ChainSpec(IReadOnlyList<EngineSpec> Engines)
{
    public static readonly IReadOnlyList<string> SttProviders = ["pocketsphinx", "deepgram", "openai"];
    public static readonly IReadOnlyList<string> LlmProviders = ["scripted", "openai", "claude"];
    public static readonly IReadOnlyList<string> TtsProviders = ["espeak", "elevenlabs", "openai"];

    /// <summary>
    /// Default cost per minute (USD) of each named Realtime engine: rough list prices for a call
    /// (audio in and out), only there so routing prefers the cheaper engine of a tier; set your own
    /// with <c>--cost NAME=USD</c> or <c>Engines:NAME:CostPerMinute</c>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, decimal> RealtimeCostPerMinute = new Dictionary<string, decimal>
    {
        ["openai-realtime"] = 0.30m,
        ["azure-realtime"] = 0.30m,
    };

    /// <summary>
    /// Default cost per minute (USD) of each cascade stage provider; a cascade costs the sum of its
    /// three stages (<c>cascade-remote</c> = deepgram + openai + elevenlabs = 0.10, <c>local</c> = 0).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, decimal> StageCostPerMinute = new Dictionary<string, decimal>
    {
        ["stt:pocketsphinx"] = 0m,
        ["stt:deepgram"] = 0.01m,
        ["stt:openai"] = 0.006m,
        ["llm:scripted"] = 0m,
        ["llm:openai"] = 0.01m,
        ["llm:claude"] = 0.02m,
        ["tts:espeak"] = 0m,
        ["tts:elevenlabs"] = 0.08m,
        ["tts:openai"] = 0.015m,
    };

    /// <summary>
    /// Longest chain read: a real one is about a hundred characters. Errors quote the chain, and a chain of
    /// megabytes is a mistake (or an attack through a drill), not a configuration.
    /// </summary>
    public const int MaxChars = 1024;

    /// <summary>The chain of the embedded default: the simulated Realtime provider, then the local cascade.</summary>
    public static ChainSpec Default { get; } = Parse("openai-realtime,local");

    public EngineSpec Primary => Engines[0];

    /// <summary>Number of tiers (tiers are numbered from 0, the best).</summary>
    public int TierCount => Engines.Count == 0 ? 0 : Engines.Max(e => e.Tier) + 1;

    /// <summary>The engines of each tier, best tier first, in chain order within a tier.</summary>
    public IReadOnlyList<IReadOnlyList<EngineSpec>> Tiers =>
        [.. Enumerable.Range(0, TierCount).Select(t => (IReadOnlyList<EngineSpec>)[.. Engines.Where(e => e.Tier == t)])];

    /// <summary>Parses a chain; a bad one throws <see cref="FormatException"/> naming the part and what is allowed.</summary>
    public static ChainSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxChars)
        {
            throw new FormatException($"the chain is {text.Length} characters long; at most {MaxChars} are read");
        }

        var tiered = text.Contains('|', StringComparison.Ordinal) || LabelOf(text.Trim()) is not null;
        if (tiered && text.Contains("->", StringComparison.Ordinal))
        {
            throw new FormatException($"chain '{text}': use either '|' between tiers (',' inside a tier) or '->' between engines, not both");
        }

        var engines = new List<EngineSpec>();
        var tierTexts = tiered ? text.Split('|') : [text];
        for (var t = 0; t < tierTexts.Length; t++)
        {
            var tierText = tierTexts[t].Trim();
            if (tiered && LabelOf(tierText) is { } label)
            {
                if (label.Number != t + 1)
                {
                    throw new FormatException($"chain '{text}': the label '{label.Text}' is on tier {t + 1}; labels number the tiers in order (tier1 first)");
                }

                tierText = tierText[(label.Text.Length)..].Trim();
            }

            if (tierText.Length == 0)
            {
                throw new FormatException(tiered
                    ? $"chain '{text}': tier {t + 1} is empty (write at least one engine between the '|')"
                    : "the chain is empty: name at least one engine");
            }

            var inTier = ParseEngines(tierText);
            foreach (var engine in inTier)
            {
                var tier = tiered ? t : engines.Count;
                if (engines.FirstOrDefault(e => e.Name == engine.Name) is { } earlier)
                {
                    throw new FormatException(earlier.Tier == tier || !tiered
                        ? $"chain '{text}': engine '{engine.Name}' appears twice"
                        : $"chain '{text}': engine '{engine.Name}' appears twice (in tier {earlier.Tier + 1} and tier {tier + 1}); an engine belongs to one tier");
                }

                engines.Add(engine with { Tier = tier });
            }
        }

        return new ChainSpec(engines);
    }

    /// <summary>
    /// Parses cost overrides written <c>NAME=USD</c> (per minute, invariant culture, e.g.
    /// <c>openai-realtime=0.24</c>); throws <see cref="FormatException"/> naming the bad one.
    /// </summary>
    public static IReadOnlyDictionary<string, decimal> ParseCosts(IEnumerable<string> assignments)
    {
        var costs = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var kv = assignment.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || kv[0].Length == 0)
            {
                throw new FormatException($"cost '{assignment}': write NAME=USD per minute, e.g. openai-realtime=0.24");
            }

            costs[kv[0]] = ParseCost(kv[1], $"cost '{assignment}'");
        }

        return costs;
    }

    /// <summary>
    /// Reads a cost per minute as written in configuration (<c>Engines:NAME:CostPerMinute</c>) or on
    /// the command line: a non-negative decimal number, invariant culture.
    /// </summary>
    public static decimal ParseCost(string value, string what) =>
        decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cost)
            ? cost
            : throw new FormatException($"{what}: '{value}' is not a cost per minute in USD (a number >= 0 such as 0.25)");

    /// <summary>
    /// The chain with costs per minute overridden by engine name; a name that is not an engine of
    /// the chain, or a negative cost, throws <see cref="FormatException"/>.
    /// </summary>
    public ChainSpec WithCosts(IReadOnlyDictionary<string, decimal> costs)
    {
        foreach (var (name, cost) in costs)
        {
            if (!Engines.Any(e => e.Name == name))
            {
                throw new FormatException($"cost for '{name}': not an engine of the chain {this} (engines: {string.Join(", ", Engines.Select(e => e.Name))})");
            }

            if (cost < 0)
            {
                throw new FormatException($"cost for '{name}': {cost.ToString(CultureInfo.InvariantCulture)} is negative");
            }
        }

        return new ChainSpec([.. Engines.Select(e => costs.TryGetValue(e.Name, out var cost) ? e with { CostPerMinute = cost } : e)]);
    }

    /// <summary>
    /// The chain as written: engines joined by ',' when each is its own tier (the original syntax),
    /// else labelled tiers joined by " | " (<c>tier1: a, b | tier2: c</c>); either parses back to the same tiers.
    /// </summary>
    public override string ToString() => Engines.Select((e, i) => e.Tier == i).All(same => same)
        ? string.Join(",", Engines.Select(e => e.Name))
        : string.Join(" | ", Tiers.Select((t, i) => $"tier{i + 1}: {string.Join(", ", t.Select(e => e.Name))}"));

    private static (string Text, int Number)? LabelOf(string tierText)
    {
        var colon = tierText.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !tierText.StartsWith("tier", StringComparison.Ordinal))
        {
            return null;
        }

        var number = tierText[4..colon].Trim();
        return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? (tierText[..(colon + 1)], n)
            : throw new FormatException($"'{tierText[..(colon + 1)]}' is not a tier label: write tier1:, tier2:, ...");
    }

    private static List<EngineSpec> ParseEngines(string text)
    {
        var parts = text.Replace("->", ",", StringComparison.Ordinal).Split(',', StringSplitOptions.TrimEntries);
        var engines = new List<EngineSpec>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.StartsWith("cascade(", StringComparison.Ordinal))
            {
                // A cascade's own commas: gather the parts up to the closing parenthesis, joined once.
                int last = i;
                while (!parts[last].EndsWith(')') && last + 1 < parts.Length)
                {
                    last++;
                }

                part = string.Join(',', parts, i, last - i + 1);
                i = last;

                engines.Add(ParseCascade(part));
            }
            else
            {
                engines.Add(Named(part));
            }
        }

        return engines;
    }

    private static EngineSpec Named(string name) => name switch
    {
        "openai-realtime" or "azure-realtime" => new EngineSpec(name, EngineKind.Realtime, null, null, null) { CostPerMinute = RealtimeCostPerMinute[name] },
        "local" => Cascade(name, "pocketsphinx", "scripted", "espeak"),
        "cascade-remote" => Cascade(name, "deepgram", "openai", "elevenlabs"),
        "" => throw new FormatException("empty engine name in the chain"),
        _ => throw new FormatException($"unknown engine '{name}': use openai-realtime, azure-realtime, local, cascade-remote or cascade(stt=...,llm=...,tts=...)"),
    };

    private static EngineSpec Cascade(string name, string stt, string llm, string tts) =>
        new(name, EngineKind.Cascade, stt, llm, tts)
        {
            CostPerMinute = StageCostPerMinute[$"stt:{stt}"] + StageCostPerMinute[$"llm:{llm}"] + StageCostPerMinute[$"tts:{tts}"],
        };

    private static EngineSpec ParseCascade(string text)
    {
        if (!text.EndsWith(')'))
        {
            throw new FormatException($"'{text}': a cascade ends with ')'");
        }

        var stages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text["cascade(".Length..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || kv[0] is not ("stt" or "llm" or "tts"))
            {
                throw new FormatException($"'{text}': '{pair}' is not stt=..., llm=... or tts=...");
            }

            stages[kv[0]] = kv[1];
        }

        var stt = Stage(text, stages, "stt", SttProviders);
        var llm = Stage(text, stages, "llm", LlmProviders);
        var tts = Stage(text, stages, "tts", TtsProviders);
        return Cascade($"cascade-{stt}-{llm}-{tts}", stt, llm, tts);
    }

    private static string Stage(string text, Dictionary<string, string> stages, string stage, IReadOnlyList<string> allowed)
    {
        if (!stages.TryGetValue(stage, out var provider))
        {
            throw new FormatException($"'{text}': the {stage} stage is missing");
        }

        return allowed.Contains(provider)
            ? provider
            : throw new FormatException($"'{text}': unknown {stage} provider '{provider}' (use {string.Join(", ", allowed)})");
    }
}

/// <summary>What answers a call.</summary>
public enum EngineKind
{
    Realtime,
    Cascade,
}

/// <summary>
/// One engine of a chain; a cascade names its three stages' providers. <see cref="Tier"/> is its
/// quality tier (0 = best); <see cref="CostPerMinute"/> (USD) orders the engines of a tier.
/// </summary>
public sealed record EngineSpec(string Name, EngineKind Kind, string? Stt, string? Llm, string? Tts)
{
    public int Tier { get; init; }

    public decimal CostPerMinute { get; init; }
}
