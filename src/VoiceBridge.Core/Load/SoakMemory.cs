namespace VoiceBridge.Load;

/// <summary>
/// One memory reading of the bridge during a soak: seconds since sampling began, resident and
/// private (anonymous resident) MB, and the managed heap from its /metrics when scraped.
/// </summary>
public sealed record MemorySample(double Seconds, double WorkingSetMb, double PrivateMb, double? GcHeapMb = null);

/// <summary>
/// The soak verdict: frames lost must be zero and memory must not grow once warmed up. Growth is
/// the least-squares slope of the working set over the samples after the warm-up, so one GC
/// sawtooth or a single spike does not decide it the way first-versus-last would; the later half's
/// slope is judged too, because a climb that settles then creeps (the runtime sizing its heap for
/// minutes) can leave the whole window's slope flat while the end still grows.
/// </summary>
public sealed record SoakVerdict
{
    /// <summary>The rule the verdict applies, written into the report so a reader need not look it up.</summary>
    public const string RuleText = "pass when framesLost = 0, at least 3 samples after the warm-up, and the least-squares slopes of the bridge's working set after the warm-up and over the later half of those samples are both below maxGrowthMbPerMinute";

    public required string Rule { get; init; }

    public required bool Passed { get; init; }

    /// <summary>Why it failed, one clause per broken condition; empty when it passed.</summary>
    public required IReadOnlyList<string> Failures { get; init; }

    public required double WarmUpS { get; init; }

    public required double MaxGrowthMbPerMinute { get; init; }

    /// <summary>Slope of the working set after the warm-up; null with fewer than 2 samples.</summary>
    public double? MemoryGrowthMbPerMinute { get; init; }

    /// <summary>Slope of the working set over the later half of the samples after the warm-up.</summary>
    public double? LaterHalfGrowthMbPerMinute { get; init; }

    /// <summary>Slope of the private (anonymous resident) memory after the warm-up.</summary>
    public double? PrivateGrowthMbPerMinute { get; init; }

    /// <summary>Slope of the managed heap (dotnet_total_memory_bytes) after the warm-up; null when /metrics was not scraped.</summary>
    public double? GcHeapGrowthMbPerMinute { get; init; }

    public MemorySample? FirstAfterWarmUp { get; init; }

    public MemorySample? LastAfterWarmUp { get; init; }

    public int SamplesAfterWarmUp { get; init; }

    public long? FramesLost { get; init; }

    /// <summary>The warm-up of a step of <paramref name="durationS"/>: its first 20 %, at most 60 s.</summary>
    public static double WarmUpOf(int durationS) => Math.Min(durationS * 0.2, 60);

    /// <summary>Judges <paramref name="samples"/> taken from <paramref name="warmUpS"/> on (earlier ones are the warm-up).</summary>
    public static SoakVerdict Of(IReadOnlyList<MemorySample> samples, double warmUpS, long? framesLost, double maxGrowthMbPerMinute)
    {
        var after = samples.Where(s => s.Seconds >= warmUpS).ToList();
        var growth = SlopePerMinute(after, s => s.WorkingSetMb);
        var laterHalf = SlopePerMinute(after.Skip(after.Count / 2).ToList(), s => s.WorkingSetMb);
        var failures = new List<string>();
        if (framesLost != 0)
        {
            failures.Add(framesLost is null ? "frames lost unknown (no --sim probe)" : $"{framesLost} frames lost");
        }

        if (after.Count < 3)
        {
            failures.Add($"{after.Count} memory samples after the warm-up, 3 needed (no --pid, or the run is too short)");
        }
        else if (growth >= maxGrowthMbPerMinute)
        {
            failures.Add($"working set grew {growth:F3} MB/min after the warm-up, limit {maxGrowthMbPerMinute} MB/min");
        }

        if (after.Count >= 3 && laterHalf >= maxGrowthMbPerMinute)
        {
            failures.Add($"working set grew {laterHalf:F3} MB/min over the later half, limit {maxGrowthMbPerMinute} MB/min");
        }

        return new SoakVerdict
        {
            Rule = RuleText, Passed = failures.Count == 0, Failures = failures, WarmUpS = warmUpS, MaxGrowthMbPerMinute = maxGrowthMbPerMinute,
            MemoryGrowthMbPerMinute = growth, LaterHalfGrowthMbPerMinute = laterHalf, PrivateGrowthMbPerMinute = SlopePerMinute(after, s => s.PrivateMb),
            GcHeapGrowthMbPerMinute = after.All(s => s.GcHeapMb is not null) ? SlopePerMinute(after, s => s.GcHeapMb!.Value) : null,
            FirstAfterWarmUp = after.Count > 0 ? after[0] : null, LastAfterWarmUp = after.Count > 0 ? after[^1] : null,
            SamplesAfterWarmUp = after.Count, FramesLost = framesLost,
        };
    }

    /// <summary>Least-squares slope of <paramref name="value"/> against time, in MB per minute; null with fewer than 2 distinct times.</summary>
    public static double? SlopePerMinute(IReadOnlyList<MemorySample> samples, Func<MemorySample, double> value)
    {
        if (samples.Count < 2)
        {
            return null;
        }

        var meanT = samples.Average(s => s.Seconds);
        var meanV = samples.Average(value);
        double num = 0, den = 0;
        foreach (var s in samples)
        {
            var dt = s.Seconds - meanT;
            num += dt * (value(s) - meanV);
            den += dt * dt;
        }

        return den == 0 ? null : num / den * 60;
    }
}
