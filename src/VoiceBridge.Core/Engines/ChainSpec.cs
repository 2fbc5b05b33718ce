namespace VoiceBridge.Engines;

/// <summary>
/// A failover chain as written in configuration and on the command line: engines in order,
/// separated by commas or "->", each either a named engine (<c>openai-realtime</c>,
/// <c>azure-realtime</c>, <c>local</c>, <c>cascade-remote</c>) or an explicit cascade <c>cascade(stt=deepgram,llm=claude,tts=elevenlabs)</c>.
/// One naming grammar everywhere (config, --chain, --fault, drills): an engine by name, a stage
/// as <c>NAME.stt|.llm|.tts</c>.
/// </summary>
public sealed record ChainSpec(IReadOnlyList<EngineSpec> Engines)
{
    public static readonly IReadOnlyList<string> SttProviders = ["pocketsphinx", "deepgram", "openai"];
    public static readonly IReadOnlyList<string> LlmProviders = ["scripted", "openai", "claude"];
    public static readonly IReadOnlyList<string> TtsProviders = ["espeak", "elevenlabs", "openai"];

    /// <summary>The chain of the embedded default: the simulated Realtime provider, then the local cascade.</summary>
    public static ChainSpec Default { get; } = Parse("openai-realtime,local");

    public EngineSpec Primary => Engines[0];

    /// <summary>Parses a chain; a bad one throws <see cref="FormatException"/> naming the part and what is allowed.</summary>
    public static ChainSpec Parse(string text)
    {
        var parts = text.Replace("->", ",", StringComparison.Ordinal).Split(',', StringSplitOptions.TrimEntries);
        var engines = new List<EngineSpec>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.StartsWith("cascade(", StringComparison.Ordinal))
            {
                // A cascade's own commas: gather the parts up to the closing parenthesis.
                while (!part.EndsWith(')') && i + 1 < parts.Length)
                {
                    part += "," + parts[++i];
                }

                engines.Add(ParseCascade(part));
            }
            else
            {
                engines.Add(Named(part));
            }
        }

        var duplicate = engines.GroupBy(e => e.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException($"chain '{text}': engine '{duplicate.Key}' appears twice");
        }

        return new ChainSpec(engines);
    }

    public override string ToString() => string.Join(",", Engines.Select(e => e.Name));

    private static EngineSpec Named(string name) => name switch
    {
        "openai-realtime" or "azure-realtime" => new EngineSpec(name, EngineKind.Realtime, null, null, null),
        "local" => new EngineSpec(name, EngineKind.Cascade, "pocketsphinx", "scripted", "espeak"),
        "cascade-remote" => new EngineSpec(name, EngineKind.Cascade, "deepgram", "openai", "elevenlabs"),
        "" => throw new FormatException("empty engine name in the chain"),
        _ => throw new FormatException($"unknown engine '{name}': use openai-realtime, azure-realtime, local, cascade-remote or cascade(stt=...,llm=...,tts=...)"),
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
        return new EngineSpec($"cascade-{stt}-{llm}-{tts}", EngineKind.Cascade, stt, llm, tts);
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

/// <summary>One engine of a chain; a cascade names its three stages' providers.</summary>
public sealed record EngineSpec(string Name, EngineKind Kind, string? Stt, string? Llm, string? Tts);
