using Prometheus;

namespace VoiceBridge.Operations;

/// <summary>
/// The Prometheus side of <see cref="BridgeTelemetry.Meter"/>: prometheus-net's MeterAdapter
/// subscribed to every instrument of the "VoiceBridge" meter (whoever creates it, whenever), plus
/// the process's .NET figures, in a registry of its own. One per process (<see cref="Shared"/>): the
/// adapter keeps instrument names in static state that a second adapter's disposal would clear.
/// Names are the meter's and the instrument's, joined: <c>voicebridge_calls_live</c>. The adapter
/// exports counters as gauges that only go up (docs/operations.md).
/// </summary>
public sealed class PrometheusExport
{
    /// <summary>Buckets of the millisecond histograms (handoff, dead air): a handoff goal is hundreds of ms, a bad one seconds.</summary>
    public static readonly double[] MillisecondBuckets = [20, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];

    private static readonly Lazy<PrometheusExport> Instance = new(() => new PrometheusExport());

    private PrometheusExport()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == BridgeTelemetry.Name,
            // The adapter forgets a series not updated for this long (5 min by default, 1 day at most): a
            // quiet hour must not reset the call counters.
            MetricsExpireAfter = TimeSpan.FromDays(1),
            ResolveHistogramBuckets = instrument => instrument.Unit == "ms" ? MillisecondBuckets : MeterAdapterOptions.DefaultHistogramBuckets,
        });
    }

    /// <summary>The process's export, started on first use and listening until the process ends.</summary>
    public static PrometheusExport Shared => Instance.Value;

    public CollectorRegistry Registry { get; }

    /// <summary>The text exposition format, as <c>GET /metrics</c> serves it.</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        using var text = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(text, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }
}
