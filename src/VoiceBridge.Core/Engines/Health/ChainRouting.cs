namespace VoiceBridge.Engines.Health;

/// <summary>The routing rules of a chain (docs/failover.md, "Breakers, tiers and failback"), on any <see cref="IEngineChain"/>.</summary>
public static class ChainRouting
{
    /// <summary>Engine indices best first: by tier, then cost per minute, then chain order.</summary>
    public static IEnumerable<int> Preference(IEngineChain chain) =>
        Enumerable.Range(0, chain.Count).OrderBy(chain.TierOf).ThenBy(chain.CostOf).ThenBy(i => i);

    /// <summary>The first engine in <see cref="Preference"/> order that is a candidate and is admitted (<see cref="IEngineChain.TryAdmit"/>).</summary>
    public static int? Select(IEngineChain chain, Func<int, bool> candidate)
    {
        foreach (var i in Preference(chain))
        {
            if (candidate(i) && chain.TryAdmit(i))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>
    /// The failback rule: the best engine of a tier strictly higher than <paramref name="current"/>'s
    /// that is <paramref name="ready"/>, when failback is on and the dwell is long enough.
    /// </summary>
    public static int? Failback(IEngineChain chain, int current, TimeSpan dwell, ProviderHealthOptions options, Func<int, bool> ready)
    {
        if (options.Failback == FailbackMode.Never || dwell < options.FailbackMinDwell)
        {
            return null;
        }

        var tier = chain.TierOf(current);
        foreach (var i in Preference(chain))
        {
            if (chain.TierOf(i) < tier && ready(i))
            {
                return i;
            }
        }

        return null;
    }
}
