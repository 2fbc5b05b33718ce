using System.Diagnostics.Metrics;
using VoiceBridge.Call;
using VoiceBridge.Engines.Health;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Operations;

namespace VoiceBridge.Tests.Operations;

/// <summary>
/// The call path's metrics as Prometheus scrapes them (prometheus-net's MeterAdapter on the
/// "VoiceBridge" meter). Each test uses a leg, engine or provider name of its own: the instruments
/// are process-wide and other tests run calls at the same time.
/// </summary>
public sealed class BridgeMetricsTests
{
    [Fact]
    public async Task Calls_started_ended_and_live_are_counted_by_leg_with_the_call_s_media_figures()
    {
        var export = PrometheusExport.Shared;
        var leg = Unique("leg");
        var time = OperationsTestCalls.NewTime();
        var registry = new CallRegistry();
        var a = OperationsTestCalls.Session("A", leg, time);
        registry.Started(a);
        registry.Started(OperationsTestCalls.Session("B", leg, time));
        registry.Started(OperationsTestCalls.Session("B", leg, time));

        var during = await export.ScrapeAsync(CancellationToken.None);
        Assert.Equal(2, Value(during, "voicebridge_calls_started_total", leg));
        Assert.Equal(2, Value(during, "voicebridge_calls_live", leg));

        var media = new RtpMediaFigures(1, 4000, 10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 60, ConcealedMs: 120, LatePackets: 3, 0, 0, OverflowFrames: 2);
        registry.Ended(a, OperationsTestCalls.Summary("A", leg) with { OutboundDiscontinuities = 4, Media = media });
        registry.Ended(a, OperationsTestCalls.Summary("A", leg));

        var after = await export.ScrapeAsync(CancellationToken.None);
        Assert.Equal(1, Value(after, "voicebridge_calls_ended_total", leg));
        Assert.Equal(1, Value(after, "voicebridge_calls_live", leg));
        Assert.Equal(120, Value(after, "voicebridge_jitter_concealed_ms_total", leg));
        Assert.Equal(3, Value(after, "voicebridge_jitter_late_packets_total", leg));
        Assert.Equal(4, Value(after, "voicebridge_outbound_late_frames_total", leg));
        Assert.Equal(2, Value(after, "voicebridge_outbound_dropped_frames_total", leg));
    }

    [Fact]
    public async Task Switches_failbacks_and_handoff_figures_are_exported_by_reason()
    {
        var export = PrometheusExport.Shared;
        var from = Unique("primary");
        var drop = new SwitchRecord { From = from, To = "local", Reason = "socket-lost", Evidence = "closed", DetectedAtMs = 1000 };
        var back = new SwitchRecord { From = "local", To = from, Reason = "failback", Evidence = "probes", DetectedAtMs = 9000 };

        BridgeMetrics.Switched(drop);
        drop.FirstFallbackAudioAtMs = 1240;
        drop.DeadAirMs = 90;
        BridgeMetrics.HandoffDone(drop);
        BridgeMetrics.Switched(back);

        var text = await export.ScrapeAsync(CancellationToken.None);
        Assert.Contains($"voicebridge_switches_total{{from=\"{from}\",reason=\"socket-lost\",to=\"local\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains($"voicebridge_failbacks_total{{from=\"local\",to=\"{from}\"}} 1", text, StringComparison.Ordinal);
        Assert.Contains("voicebridge_handoff_ms_bucket{reason=\"socket-lost\",le=\"300\"}", text, StringComparison.Ordinal);
        Assert.Contains("voicebridge_dead_air_ms_bucket{reason=\"socket-lost\",le=\"100\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_engine_answering_each_call_is_a_gauge_by_engine()
    {
        var export = PrometheusExport.Shared;
        var primary = Unique("engine");
        var fallback = Unique("engine");

        BridgeMetrics.EngineChanged(null, primary);
        BridgeMetrics.EngineChanged(null, primary);
        BridgeMetrics.EngineChanged(primary, fallback);
        var text = await export.ScrapeAsync(CancellationToken.None);
        Assert.Equal(1, Value(text, "voicebridge_calls_by_engine", primary, "engine"));
        Assert.Equal(1, Value(text, "voicebridge_calls_by_engine", fallback, "engine"));

        BridgeMetrics.EngineChanged(fallback, null);
        Assert.Equal(0, Value(await export.ScrapeAsync(CancellationToken.None), "voicebridge_calls_by_engine", fallback, "engine"));
    }

    [Fact]
    public async Task Breaker_state_is_read_per_provider_at_each_scrape_and_transitions_are_counted()
    {
        var export = PrometheusExport.Shared;
        var provider = Unique("provider");
        await using var health = new ProviderHealth(new ProviderHealthOptions { FailureThreshold = 1 }, OperationsTestCalls.NewTime());
        BridgeMetrics.ObserveBreakers(health, [provider]);
        Assert.Equal(0, Value(await export.ScrapeAsync(CancellationToken.None), "voicebridge_breaker_state", provider, "provider"));

        health.ReportFailure(provider, "socket-lost");
        var text = await export.ScrapeAsync(CancellationToken.None);
        Assert.Equal(BridgeMetrics.BreakerValue(BreakerState.Open), Value(text, "voicebridge_breaker_state", provider, "provider"));
        Assert.Contains($"voicebridge_breaker_transitions_total{{provider=\"{provider}\",to=\"open\"}} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_instrument_created_on_the_meter_after_the_export_started_is_exported_too()
    {
        var export = PrometheusExport.Shared;
        var name = Unique("late_instrument").Replace('-', '_');
        var counter = BridgeTelemetry.Meter.CreateCounter<long>(name, "{request}", "created by another part, later");
        counter.Add(3, new KeyValuePair<string, object?>("kind", "test"));

        Assert.Contains($"voicebridge_{name}{{kind=\"test\"}} 3", await export.ScrapeAsync(CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_meters_are_not_exported()
    {
        var export = PrometheusExport.Shared;
        using var other = new Meter("NotVoiceBridge");
        other.CreateCounter<long>("elsewhere").Add(1);

        Assert.DoesNotContain("elsewhere", await export.ScrapeAsync(CancellationToken.None), StringComparison.Ordinal);
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>The value of <paramref name="metric"/>'s one series whose <paramref name="label"/> is <paramref name="value"/>.</summary>
    private static double Value(string exposition, string metric, string value, string label = "leg")
    {
        var line = exposition.Split('\n').SingleOrDefault(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"{label}=\"{value}\"", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no {metric}{{{label}=\"{value}\"}} in:\n{exposition}");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
