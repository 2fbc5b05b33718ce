using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace VoiceBridge.Operations;

/// <summary>
/// The one meter and the one activity source of the bridge. Every part publishes its counters and
/// histograms on <see cref="Meter"/> and its spans on <see cref="Activities"/>; the exporters
/// (Prometheus <c>/metrics</c>, OpenTelemetry) subscribe by <see cref="Name"/>, so a part that counts
/// something never needs to know who reads it.
/// </summary>
public static class BridgeTelemetry
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "VoiceBridge";

    /// <summary>Counters and histograms; instruments are created once, in static fields of their owners.</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>Spans: one per call, one per provider request.</summary>
    public static readonly ActivitySource Activities = new(Name);
}
