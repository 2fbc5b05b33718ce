using HdrHistogram;

namespace VoiceBridge.Load;

/// <summary>
/// Latencies in microseconds, 1 us to 60 s at three significant digits (HdrHistogram), shared by
/// the threads that record into it. Read as milliseconds.
/// </summary>
public sealed class HopHistogram
{
    private readonly object _gate = new();
    private LongHistogram _histogram = New();

    /// <summary>Samples above <see cref="LateThresholdMicros"/>.</summary>
    public long Late { get; private set; }

    /// <param name="lateThresholdMicros">What counts as late [one frame period, 20 ms].</param>
    public HopHistogram(long lateThresholdMicros = 20_000) => LateThresholdMicros = lateThresholdMicros;

    /// <summary>What counts as late; a reset may change it.</summary>
    public long LateThresholdMicros { get; private set; }

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _histogram.TotalCount;
            }
        }
    }

    public void Record(long micros)
    {
        var value = Math.Clamp(micros, 1, 60_000_000);
        lock (_gate)
        {
            _histogram.RecordValue(value);
            if (micros > LateThresholdMicros)
            {
                Late++;
            }
        }
    }

    /// <summary>The value at <paramref name="percentile"/> (0-100) in ms; null when nothing was recorded.</summary>
    public double? PercentileMs(double percentile)
    {
        lock (_gate)
        {
            return _histogram.TotalCount == 0 ? null : _histogram.GetValueAtPercentile(percentile) / 1000.0;
        }
    }

    public double? MaxMs()
    {
        lock (_gate)
        {
            return _histogram.TotalCount == 0 ? null : _histogram.GetMaxValue() / 1000.0;
        }
    }

    /// <summary>p50, p99, max and count, for a report.</summary>
    public HopSummary Summary() => new(Count, PercentileMs(50), PercentileMs(99), MaxMs(), Late);

    /// <summary>Starts afresh; <paramref name="lateThresholdMicros"/>, when given, is what counts as late from now on.</summary>
    public void Reset(long? lateThresholdMicros = null)
    {
        lock (_gate)
        {
            _histogram = New();
            Late = 0;
            if (lateThresholdMicros is { } threshold)
            {
                LateThresholdMicros = threshold;
            }
        }
    }

    private static LongHistogram New() => new(1, 60_000_000, 3);
}

/// <summary>A histogram read for a report: how many samples, p50/p99/max in ms, how many above the late threshold.</summary>
public sealed record HopSummary(long Count, double? P50Ms, double? P99Ms, double? MaxMs, long Late);
