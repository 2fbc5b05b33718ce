namespace VoiceBridge.Tests.Support;

/// <summary>Measures what code allocates on the calling thread (an allocation check, not a timing one).</summary>
internal static class Allocations
{
    /// <summary>
    /// Bytes <paramref name="body"/> allocates, the least over several runs: one run may be charged
    /// for one-off runtime work (tiered JIT recompiling a hot method under load, a first use), but
    /// never for less than the code itself allocates.
    /// </summary>
    public static long Of(Action body, int runs = 5)
    {
        var least = long.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            body();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
