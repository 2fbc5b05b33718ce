using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using VoiceBridge.Call;
using VoiceBridge.Engines.Health;

namespace VoiceBridge.Operations;

/// <summary>
/// The call path's instruments on <see cref="BridgeTelemetry.Meter"/> (docs/operations.md lists them
/// with their Prometheus names). Each is counted where the fact is decided (a call starts or ends,
/// an engine starts answering, a switch, a handoff completes, a breaker moves), never per 20 ms
/// frame: a jitter buffer's or playout's per-frame figures are added once, from the call's summary.
/// Gauges of "how many now" are observable, read at scrape time from counts kept here, because an
/// exporter that forgets an idle series must not turn a live count negative when it comes back.
/// Nothing is counted in a <see cref="BridgeTelemetry.Silenced"/> flow (the warm-up call).
/// </summary>
public static class BridgeMetrics
{
    public const string LegTag = "leg";
    public const string EngineTag = "engine";
    public const string ProviderTag = "provider";
    public const string ReasonTag = "reason";
    public const string FromTag = "from";
    public const string ToTag = "to";

    private static readonly Counter<long> CallsStarted = BridgeTelemetry.Meter.CreateCounter<long>(
        "calls_started_total", "{call}", "Calls the node started, by caller leg");

    private static readonly Counter<long> CallsEnded = BridgeTelemetry.Meter.CreateCounter<long>(
        "calls_ended_total", "{call}", "Calls the node ended, by caller leg");

    private static readonly Counter<long> Switches = BridgeTelemetry.Meter.CreateCounter<long>(
        "switches_total", "{switch}", "Engine switches during calls, by trigger (reason) and engines");

    private static readonly Counter<long> Failbacks = BridgeTelemetry.Meter.CreateCounter<long>(
        "failbacks_total", "{switch}", "Switches back to a better engine once it recovered");

    private static readonly Histogram<double> Handoff = BridgeTelemetry.Meter.CreateHistogram<double>(
        "handoff_ms", "ms", "Time from the detection (or the end of the caller's turn) to the new engine's first audio at the caller leg");

    private static readonly Histogram<double> DeadAir = BridgeTelemetry.Meter.CreateHistogram<double>(
        "dead_air_ms", "ms", "Silence the caller heard because of a switch, beyond a normal turn gap");

    private static readonly Counter<long> Concealed = BridgeTelemetry.Meter.CreateCounter<long>(
        "jitter_concealed_ms_total", "ms", "Caller audio the RTP jitter buffer concealed (lost or late packets), by leg");

    private static readonly Counter<long> LatePackets = BridgeTelemetry.Meter.CreateCounter<long>(
        "jitter_late_packets_total", "{packet}", "RTP packets that arrived after their playout time, by leg");

    private static readonly Counter<long> OutboundLate = BridgeTelemetry.Meter.CreateCounter<long>(
        "outbound_late_frames_total", "{frame}", "Times the caller's buffer ran dry inside an agent reply (a gap the caller heard), by leg");

    private static readonly Counter<long> OutboundDropped = BridgeTelemetry.Meter.CreateCounter<long>(
        "outbound_dropped_frames_total", "{frame}", "Agent audio frames dropped on overflow (playout buffer, RTP send queue), by leg");

    private static readonly Counter<long> BreakerTransitions = BridgeTelemetry.Meter.CreateCounter<long>(
        "breaker_transitions_total", "{transition}", "Provider breaker transitions, by provider and new state");

    private static readonly ConcurrentDictionary<string, long> LiveByLeg = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, long> AnsweringByEngine = new(StringComparer.Ordinal);
    private static volatile BreakerSource? _breakers;

    static BridgeMetrics()
    {
        BridgeTelemetry.Meter.CreateObservableGauge("calls_live", () => Snapshot(LiveByLeg, LegTag), "{call}", "Calls in progress, by caller leg");
        BridgeTelemetry.Meter.CreateObservableGauge("calls_by_engine", () => Snapshot(AnsweringByEngine, EngineTag), "{call}", "Calls in progress by the engine answering them now");
        BridgeTelemetry.Meter.CreateObservableGauge("breaker_state", ObserveBreakers, "{state}", "Provider breaker: 0 closed, 1 half-open, 2 open");
    }

    /// <summary>The number <c>breaker_state</c> reports for a state.</summary>
    public static int BreakerValue(BreakerState state) => state switch
    {
        BreakerState.Open => 2,
        BreakerState.HalfOpen => 1,
        _ => 0,
    };

    /// <summary>Reports <paramref name="engines"/>' breakers from <paramref name="health"/> at each scrape (the node's one shared health).</summary>
    public static void ObserveBreakers(ProviderHealth health, IReadOnlyList<string> engines) => _breakers = new BreakerSource(health, [.. engines]);

    internal static void CallStarted(string leg)
    {
        if (BridgeTelemetry.Silenced)
        {
            return;
        }

        CallsStarted.Add(1, new KeyValuePair<string, object?>(LegTag, leg));
        LiveByLeg.AddOrUpdate(leg, 1, (_, n) => n + 1);
    }

    /// <summary>The call left the registry: its leg's live count drops, its media figures are added once.</summary>
    internal static void CallEnded(CallSummary summary)
    {
        if (BridgeTelemetry.Silenced)
        {
            return;
        }

        var leg = new KeyValuePair<string, object?>(LegTag, summary.Leg);
        CallsEnded.Add(1, leg);
        LiveByLeg.AddOrUpdate(summary.Leg, 0, (_, n) => Math.Max(0, n - 1));
        Add(OutboundLate, summary.OutboundDiscontinuities, leg);
        if (summary.Media is { } media)
        {
            Add(Concealed, media.ConcealedMs, leg);
            Add(LatePackets, media.LatePackets, leg);
            Add(OutboundDropped, media.OverflowFrames, leg);
        }
    }

    /// <summary>A call's engine changed: <paramref name="from"/> stops answering it (null: none did), <paramref name="to"/> starts (null: none does).</summary>
    internal static void EngineChanged(string? from, string? to)
    {
        if (BridgeTelemetry.Silenced)
        {
            return;
        }

        if (from is not null)
        {
            AnsweringByEngine.AddOrUpdate(from, 0, (_, n) => Math.Max(0, n - 1));
        }

        if (to is not null)
        {
            AnsweringByEngine.AddOrUpdate(to, 1, (_, n) => n + 1);
        }
    }

    internal static void Switched(SwitchRecord record)
    {
        if (BridgeTelemetry.Silenced)
        {
            return;
        }

        Switches.Add(1, new(ReasonTag, record.Reason), new(FromTag, record.From), new(ToTag, record.To));
        if (record.Reason == "failback")
        {
            Failbacks.Add(1, new(FromTag, record.From), new(ToTag, record.To));
        }
    }

    /// <summary>The new engine's first audio reached the caller: the switch's figures are final.</summary>
    internal static void HandoffDone(SwitchRecord record)
    {
        if (BridgeTelemetry.Silenced)
        {
            return;
        }

        var reason = new KeyValuePair<string, object?>(ReasonTag, record.Reason);
        if (record.HandoffMs is { } handoff)
        {
            Handoff.Record(handoff, reason);
        }

        if (record.DeadAirMs is { } deadAir)
        {
            DeadAir.Record(deadAir, reason);
        }
    }

    internal static void PlayoutDropped(string leg, long frames) => Add(OutboundDropped, frames, new(LegTag, leg));

    internal static void BreakerChanged(BreakerChange change)
    {
        if (!BridgeTelemetry.Silenced)
        {
            BreakerTransitions.Add(1, new(ProviderTag, change.Engine), new(ToTag, BreakerAudit.Name(change.To)));
        }
    }

    private static void Add(Counter<long> counter, long value, KeyValuePair<string, object?> tag)
    {
        if (value > 0 && !BridgeTelemetry.Silenced)
        {
            counter.Add(value, tag);
        }
    }

    private static IEnumerable<Measurement<long>> Snapshot(ConcurrentDictionary<string, long> counts, string tag) =>
        counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>(tag, c.Key)));

    private static IEnumerable<Measurement<int>> ObserveBreakers() =>
        _breakers is { } source
            ? source.Engines.Select(e => new Measurement<int>(BreakerValue(source.Health.State(e)), new KeyValuePair<string, object?>(ProviderTag, e)))
            : [];

    private sealed record BreakerSource(ProviderHealth Health, string[] Engines);
}
