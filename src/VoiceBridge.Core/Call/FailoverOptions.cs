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

        return errors;
    }
}
