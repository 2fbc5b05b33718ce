using System.Diagnostics;
using Microsoft.Extensions.Logging;
using VoiceBridge.Media;
using VoiceBridge.Operations;

namespace VoiceBridge.Call;

/// <summary>
/// What operations see of a call (docs/operations.md): the <c>call</c> span, whose provider spans
/// (Realtime connect, cascade requests) are its children because the engines start inside the
/// call's async flow; a log scope that puts the call id on every log written in that flow (engine
/// logs included, which do not know the call); and the call's share of the metrics, counted at its
/// events (engine changes, switches, the end), never per frame.
/// </summary>
public sealed partial class CallSession
{
    public const string CallIdTag = "call.id";
    public const string LegTag = "call.leg";
    public const string EnginesTag = "call.engines";

    private Activity? _activity;
    private IDisposable? _logScope;
    private string? _meteredEngine;

    /// <summary>The caller leg's name (<c>twilio</c>, <c>sip</c>, <c>webrtc</c>...).</summary>
    public string Leg => _legName;

    private void BeginTelemetry()
    {
        _logScope = _logger.BeginScope(new CallScope(CallId));
        _activity = BridgeTelemetry.StartSpan("call", ActivityKind.Server);
        _activity?.SetTag(CallIdTag, CallId);
        _activity?.SetTag(LegTag, _legName);
    }

    private void EndTelemetry(CallSummary summary)
    {
        MeterEngine(null);
        BridgeMetrics.PlayoutDropped(_legName, _playout.DroppedSamples / CallClock.FrameSamples);
        if (_activity is { } activity)
        {
            var engines = new List<string>();
            foreach (var turn in Conversation.Turns)
            {
                if (turn.Engine is { } engine && !engines.Contains(engine))
                {
                    engines.Add(engine);
                }
            }

            activity.SetTag(EnginesTag, string.Join(",", engines));
            activity.SetTag("call.switches", summary.Switches?.Count ?? 0);
            activity.SetTag("call.duration_ms", summary.DurationMs);
            activity.SetStatus(summary.Errors.Count == 0 ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            activity.Dispose();
        }

        _logScope?.Dispose();
    }

    /// <summary>The engine answering the call is now <paramref name="engine"/> (null: none).</summary>
    private void MeterEngine(string? engine)
    {
        if (engine == _meteredEngine)
        {
            return;
        }

        BridgeMetrics.EngineChanged(_meteredEngine, engine);
        _meteredEngine = engine;
        if (engine is not null)
        {
            _activity?.AddEvent(new ActivityEvent("engine", tags: new ActivityTagsCollection { [BridgeMetrics.EngineTag] = engine }));
        }
    }

    private void MeterSwitch(SwitchRecord record)
    {
        if (record.CallerHeardAgentAtMs is null)
        {
            BridgeMetrics.Switched(record);
            MeterEngine(null);
            _activity?.AddEvent(new ActivityEvent("switch", tags: new ActivityTagsCollection
            {
                [BridgeMetrics.FromTag] = record.From, [BridgeMetrics.ToTag] = record.To, [BridgeMetrics.ReasonTag] = record.Reason,
            }));
        }
        else
        {
            BridgeMetrics.HandoffDone(record);
        }
    }

    /// <summary>The log scope's state: <c>CallId</c> as a structured property (Serilog makes it one).</summary>
    private sealed class CallScope(string callId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("CallId", callId) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"CallId:{callId}";
    }
}
