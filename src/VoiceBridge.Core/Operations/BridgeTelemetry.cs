using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace VoiceBridge.Operations;

/// <summary>
/// The one meter and the one activity source of the bridge. Every part publishes its counters and
/// histograms on <see cref="Meter"/> and its spans on <see cref="Activities"/>; the exporters
/// (Prometheus <c>/metrics</c>, OpenTelemetry) subscribe by <see cref="Name"/>, so a part that counts
/// something never needs to know who reads it. A flow inside <see cref="Unobserved"/> (the warm-up
/// call, <see cref="Replay.CallPathWarmUp"/>) publishes nothing: a fresh node's figures are its own.
/// </summary>
public static class BridgeTelemetry
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "VoiceBridge";

    /// <summary>Counters and histograms; instruments are created once, in static fields of their owners.</summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>Spans: one per call, one per provider request.</summary>
    public static readonly ActivitySource Activities = new(Name);

    private static readonly AsyncLocal<bool> Off = new();

    /// <summary>True in a flow inside <see cref="Unobserved"/>: its counts, histograms and spans are not published.</summary>
    public static bool Silenced => Off.Value;

    /// <summary>
    /// Runs <paramref name="work"/> with nothing it does published (metrics or spans), wherever its
    /// async flow goes; the rest of the process publishes as usual.
    /// </summary>
    public static T Unobserved<T>(Func<T> work)
    {
        var before = Off.Value;
        Off.Value = true;
        try
        {
            return work();
        }
        finally
        {
            Off.Value = before;
        }
    }

    /// <summary>Span <paramref name="name"/> on <see cref="Activities"/>; null when nobody listens or the flow is <see cref="Silenced"/>.</summary>
    public static Activity? StartSpan(string name, ActivityKind kind) => Silenced ? null : Activities.StartActivity(name, kind);
}
