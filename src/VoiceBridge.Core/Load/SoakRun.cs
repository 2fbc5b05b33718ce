using System.Globalization;
using System.Text.Json;

namespace VoiceBridge.Load;

/// <summary>
/// <c>load --soak</c>: the load run with the bridge's memory sampled beside it every few seconds
/// from /proc (VmRSS, the working set, and RssAnon, its private part) and, given the bridge's
/// /metrics, its managed heap (dotnet_total_memory_bytes), then judged by
/// <see cref="SoakVerdict"/>. Sampling runs apart from the calls' 20 ms clock so it never delays a frame.
/// </summary>
public static class SoakRun
{
    /// <summary>Runs <paramref name="load"/> while sampling process <paramref name="pid"/>; the verdict's warm-up counts from the end of the idle baseline.</summary>
    public static async Task<SoakReport> RunAsync(Func<CancellationToken, Task<LoadReport>> load, LoadOptions options, int? pid, Uri? metrics, HttpClient http, double maxGrowthMbPerMinute, TimeProvider time, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Clamp(options.DurationS / 60.0, 1, 5));
        var samples = new List<MemorySample>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = pid is { } p ? SampleAsync(p, metrics, http, interval, samples, time, stop.Token) : Task.CompletedTask;
        LoadReport report;
        try
        {
            report = await load(cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await sampling;
        }

        // Samples from after the step's calls ended (while they are torn down) are not the soak.
        var end = options.IdleS + options.DurationS;
        var inRun = samples.Where(s => s.Seconds <= end).ToList();
        var warmUp = options.IdleS + SoakVerdict.WarmUpOf(options.DurationS);
        return new SoakReport { Load = report, Verdict = SoakVerdict.Of(inRun, warmUp, report.FramesLost, maxGrowthMbPerMinute), Samples = inRun };
    }

    private static async Task SampleAsync(int pid, Uri? metrics, HttpClient http, TimeSpan interval, List<MemorySample> samples, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (Read(pid, time.GetElapsedTime(start).TotalSeconds) is { } sample)
                {
                    samples.Add(metrics is null ? sample : sample with { GcHeapMb = await GcHeapMbAsync(http, metrics, cancellationToken) });
                }

                await Task.Delay(interval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The load run is over: sampling ends with it.
        }
    }

    private static MemorySample? Read(int pid, double seconds)
    {
        try
        {
            var status = File.ReadAllText($"/proc/{pid}/status");
            return StatusKb(status, "VmRSS:") is { } rss && StatusKb(status, "RssAnon:") is { } anon
                ? new MemorySample(Math.Round(seconds, 3), rss / 1024.0, anon / 1024.0)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<double?> GcHeapMbAsync(HttpClient http, Uri metrics, CancellationToken cancellationToken)
    {
        try
        {
            return GaugeValue(await http.GetStringAsync(metrics, cancellationToken), "dotnet_total_memory_bytes") / (1024.0 * 1024.0);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's timeout: one sample without the heap, sampling goes on.
            return null;
        }
    }

    /// <summary>An unlabelled gauge of a Prometheus text exposition ("name value"); null when it is missing or not a number.</summary>
    public static double? GaugeValue(string exposition, string name)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.Length > name.Length && line.StartsWith(name, StringComparison.Ordinal) && line[name.Length] == ' ')
            {
                return double.TryParse(line[(name.Length + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
            }
        }

        return null;
    }

    /// <summary>A "Name: N kB" line of /proc/PID/status in kB; null when it is missing or malformed.</summary>
    public static long? StatusKb(string status, string name)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line[name.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : null;
        }

        return null;
    }
}

/// <summary><c>load --soak --report</c>: the soak's verdict and memory figures at the top, the load report and every memory sample below.</summary>
public sealed record SoakReport
{
    public required SoakVerdict Verdict { get; init; }

    public required LoadReport Load { get; init; }

    public required IReadOnlyList<MemorySample> Samples { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, LoadJson.Options);
}
