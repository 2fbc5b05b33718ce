namespace VoiceBridge.Call;

/// <summary>Thresholds of the failover triggers; defaults are FAILOVER.md's.</summary>
public sealed class FailoverOptions
{
    /// <summary>The provider's end-of-turn silence window, added before a response can be late [500 ms].</summary>
    public int ProviderSilenceWindowMs { get; set; } = 500;

    /// <summary>No response audio this long after the silence window: a response stall [2500 ms].</summary>
    public int ResponseStallMs { get; set; } = 2500;

    /// <summary>An audio response in progress with no delta this long: an audio stall [1000 ms].</summary>
    public int AudioStallMs { get; set; } = 1000;

    /// <summary>
    /// A response or audio stall on an engine with no other engine available waits this much longer
    /// before the last resort, once per owed response: a slow answer (an overloaded local engine)
    /// beats an apology and a hang-up [5000 ms]; 0: the last resort at once.
    /// </summary>
    public int LastEngineStallGraceMs { get; set; } = 5000;

    /// <summary>First-audio latency over this is a slow turn [1500 ms].</summary>
    public int SlowTurnMs { get; set; } = 1500;

    /// <summary>Slow turns in a row that move the call at the next turn boundary [3].</summary>
    public int SlowTurnsInRow { get; set; } = 3;

    /// <summary>Bad turns in a row (heard but transcribed as nothing; a response failed, incomplete or silent) that move the call [2].</summary>
    public int BadTurnsInRow { get; set; } = 2;

    /// <summary>A caller turn shorter than this transcribed as nothing is not a bad turn (a cough) [1000 ms].</summary>
    public int MinSpeechForTranscriptMs { get; set; } = 1000;

    /// <summary>Our own requests refused as invalid, in a row, before the engine is given up [3].</summary>
    public int ClientErrorsToSwitch { get; set; } = 3;

    /// <summary>
    /// Provider session limits by engine name: a call is moved to a fresh session of the same
    /// engine before it runs out [openai-realtime 60 min, azure-realtime 30 min].
    /// </summary>
    public Dictionary<string, TimeSpan> SessionLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai-realtime"] = TimeSpan.FromMinutes(60),
        ["azure-realtime"] = TimeSpan.FromMinutes(30),
    };

    /// <summary>How long before the limit the rotation is asked for (done at the next turn boundary) [2 min].</summary>
    public TimeSpan SessionRotateBefore { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The session limit of <paramref name="engine"/>, if it has one.</summary>
    public TimeSpan? SessionLimit(string engine) => SessionLimits.TryGetValue(engine, out var limit) ? limit : null;

    /// <summary>Play a short filler ("One moment, please.") while the next engine prepares, when the caller is waiting for an answer [off].</summary>
    public bool Filler { get; set; }

    /// <summary>Keep the next engine of the chain connected and ready while the active one works [off].</summary>
    public bool WarmStandby { get; set; }

    /// <summary>Problems with the options, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ProviderSilenceWindowMs is < 0 or > 5000)
        {
            errors.Add($"Failover:ProviderSilenceWindowMs must be 0-5000, got {ProviderSilenceWindowMs}");
        }

        if (ResponseStallMs is < 100 or > 60000)
        {
            errors.Add($"Failover:ResponseStallMs must be 100-60000, got {ResponseStallMs}");
        }

        if (AudioStallMs is < 100 or > 60000)
        {
            errors.Add($"Failover:AudioStallMs must be 100-60000, got {AudioStallMs}");
        }

        if (LastEngineStallGraceMs is < 0 or > 60000)
        {
            errors.Add($"Failover:LastEngineStallGraceMs must be 0-60000, got {LastEngineStallGraceMs}");
        }

        if (SlowTurnMs is < 100 or > 60000)
        {
            errors.Add($"Failover:SlowTurnMs must be 100-60000, got {SlowTurnMs}");
        }

        foreach (var (name, value) in new[] { ("SlowTurnsInRow", SlowTurnsInRow), ("BadTurnsInRow", BadTurnsInRow), ("ClientErrorsToSwitch", ClientErrorsToSwitch) })
        {
            if (value is < 1 or > 100)
            {
                errors.Add($"Failover:{name} must be 1-100, got {value}");
            }
        }

        if (MinSpeechForTranscriptMs is < 0 or > 60000)
        {
            errors.Add($"Failover:MinSpeechForTranscriptMs must be 0-60000, got {MinSpeechForTranscriptMs}");
        }

        foreach (var (engine, limit) in SessionLimits)
        {
            if (limit <= SessionRotateBefore)
            {
                errors.Add($"Failover:SessionLimits:{engine} ({limit}) must be longer than Failover:SessionRotateBefore ({SessionRotateBefore})");
            }
        }

        if (SessionRotateBefore < TimeSpan.Zero)
        {
            errors.Add($"Failover:SessionRotateBefore must not be negative, got {SessionRotateBefore}");
        }

        return errors;
    }
}
