using System.Text.Json;
using System.Threading.Channels;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Faults;

namespace VoiceBridge.Hosting;

/// <summary>The node's calls as drills see them: each new call, the share drills that take it, and what became of a drilled call.</summary>
public sealed partial class AdminDrills
{
    /// <summary>How long after a call's last event its summary (the final figures) is waited for.</summary>
    private static readonly TimeSpan SummaryWait = TimeSpan.FromSeconds(30);

    private void OnCallCreated(CallSession session, string leg)
    {
        var now = _time.GetUtcNow();
        var call = new LiveCall(session, leg, now);
        Drill? taking = null;
        lock (_gate)
        {
            _live[session.CallId] = call;
            foreach (var drill in _drills.Where(d => d.Accepting(now)))
            {
                // Every share drill counts every new call; a call is drilled by one drill at most.
                if (drill.Share!.Next() && taking is null)
                {
                    taking = drill;
                }
            }
        }

        _ = WatchAsync(call);
        if (taking is not null)
        {
            Take(taking, call);
        }
    }

    /// <summary>Drills <paramref name="call"/>: audited first, then the fault armed.</summary>
    private void Take(Drill drill, LiveCall call)
    {
        var session = call.Session;
        var drilled = new DrilledCall(session.CallId, drill.Engine);
        lock (_gate)
        {
            call.Drilled = drilled;
            drill.Add(drilled);
        }

        _audit.Record(new AuditEvent("drill", session.CallId, _time.GetUtcNow(), session.NowMs, drill.Engine, null, drill.Fault.ToString(),
            JsonSerializer.Serialize(new { drill = drill.Id, fault = drill.Fault.ToString(), by = drill.By })));
        Log.CallDrilled(_logger, session.CallId, drill.Id, drill.Fault.ToString(), drill.Engine);
        var by = $"{drill.By} ({drill.Id})";
        drilled.Arm = Injector.Arm(session.CallId, drill.Engine, drill.Fault, () => _ = ForceSwitchAsync(session, by));
        drilled.Arm.OnDone(arm =>
        {
            lock (_gate)
            {
                drilled.FaultAtMs ??= arm.StruckAt is null ? null : session.NowMs;
                drilled.Missed = arm.Missed;
            }
        });
    }

    private static async Task ForceSwitchAsync(CallSession session, string by)
    {
        try
        {
            await session.DrillAsync(by, CancellationToken.None);
        }
        catch (ChannelClosedException)
        {
            // The call ended meanwhile: nothing to switch.
        }
    }

    /// <summary>Follows a call's feed until it ends: the engine answering, a drilled call's switch, then its final figures.</summary>
    private async Task WatchAsync(LiveCall call)
    {
        var id = call.Session.CallId;
        try
        {
            using (var subscription = call.Session.Events.Subscribe())
            {
                if (subscription is not null)
                {
                    var reader = subscription.Reader;
                    while (await reader.WaitToReadAsync())
                    {
                        while (reader.TryRead(out var e))
                        {
                            Observe(call, e);
                        }
                    }
                }
            }

            if (call.Drilled is { } drilled)
            {
                var summary = await _bridge.Registry.WhenEnded(id).WaitAsync(SummaryWait, _time);
                lock (_gate)
                {
                    drilled.Finish(summary.Switches ?? []);
                }
            }
        }
        catch (TimeoutException e)
        {
            Log.WatchFailed(_logger, id, e);
        }
        finally
        {
            lock (_gate)
            {
                if (_live.TryGetValue(id, out var live) && live == call)
                {
                    _live.Remove(id);
                }

                if (call.Drilled is { } drilled)
                {
                    drilled.Ended = true;
                }
            }

            Injector.Forget(id);
        }
    }

    private void Observe(LiveCall call, CallEvent e)
    {
        lock (_gate)
        {
            switch (e.Kind)
            {
                case CallEventKind.Engine:
                    call.Engine = e.Engine;
                    break;
                case CallEventKind.Switch:
                    call.Engine = e.To;
                    // A fault due now strikes inside Arm, before the call holds it.
                    if (call.Drilled is { } drilled && (drilled.Arm is null || drilled.Arm.StruckAt is not null))
                    {
                        drilled.OnSwitch(e, call.Session.Switches);
                    }

                    break;
            }
        }
    }

    /// <summary>A live call: its leg, when it started, the engine answering it, and its drill if it has one.</summary>
    private sealed class LiveCall(CallSession session, string leg, DateTimeOffset started)
    {
        public CallSession Session { get; } = session;

        public string Leg { get; } = leg;

        public DateTimeOffset Started { get; } = started;

        public string? Engine { get; set; }

        public DrilledCall? Drilled { get; set; }
    }

    /// <summary>A call a drill took, and its switch once seen. Guarded by the drills' lock.</summary>
    private sealed class DrilledCall(string callId, string engine)
    {
        public string CallId { get; } = callId;

        public string Engine { get; } = engine;

        public DrillArm? Arm { get; set; }

        public long? FaultAtMs { get; set; }

        public string? Missed { get; set; }

        public bool Ended { get; set; }

        public AdminSwitchView? Switch { get; private set; }

        /// <summary>Nothing more will change: handed off, missed, or the call is over.</summary>
        public bool Finished => Missed is not null || Ended || Switch?.HandoffMs is not null;

        public string State => Missed is not null ? "missed"
            : Switch?.HandoffMs is not null ? "handed-off"
            : Switch is not null ? "switched"
            : Ended ? "ended"
            : Arm?.StruckAt is not null ? "struck"
            : "armed";

        public AdminDrilledCallView View() => new(CallId, Engine, State, FaultAtMs, Missed, Switch);

        /// <summary>The first switch after the fault is the drill's: detected, then again with its handoff.</summary>
        public void OnSwitch(CallEvent e, IReadOnlyList<SwitchRecord> records)
        {
            if (Switch is { } seen && (seen.HandoffMs is not null || seen.From != e.From || seen.To != e.To || seen.Reason != e.Reason))
            {
                return;
            }

            // The session adds the record before it publishes the event that names it.
            SwitchRecord? record = null;
            for (var i = records.Count - 1; i >= 0 && record is null; i--)
            {
                record = records[i] is { } r && r.From == e.From && r.To == e.To && r.Reason == e.Reason ? r : null;
            }

            Switch = record is null
                ? new AdminSwitchView(e.From ?? "", e.To ?? "", e.Reason ?? "", Switch?.DetectedAtMs ?? e.AtMs, e.HandoffMs, null, 0, 0, 0, Final: false)
                : Figures(record, final: false);
        }

        /// <summary>The call ended: its own accounting gives the final figures of the drill's switch.</summary>
        public void Finish(IReadOnlyList<SwitchRecord> switches)
        {
            var record = Switch is { } seen
                ? switches.FirstOrDefault(s => s.DetectedAtMs == seen.DetectedAtMs && s.Reason == seen.Reason)
                : FaultAtMs is { } at ? switches.FirstOrDefault(s => s.DetectedAtMs >= at) : null;
            if (record is not null)
            {
                Switch = Figures(record, final: true);
            }
        }

        private static AdminSwitchView Figures(SwitchRecord r, bool final) => new(
            r.From, r.To, r.Reason, r.DetectedAtMs, r.HandoffMs, r.DeadAirMs, r.LostCallerAudioMs, r.ReplayedCallerAudioMs, r.OutboundDiscontinuities, final);
    }

    /// <summary>One drill: its fault, who asked, one call or a share of new calls (for a window, or for ever), and the calls it took.</summary>
    private sealed class Drill(string id, DrillFault fault, string engine, string by, DateTimeOffset created, string? call, DrillShare? share, int? durationS)
    {
        private readonly List<DrilledCall> _calls = [];

        public string Id { get; } = id;

        public DrillFault Fault { get; } = fault;

        public string Engine { get; } = engine;

        public string By { get; } = by;

        public DrillShare? Share { get; } = share;

        private long _drilled;

        /// <summary>Whether new calls may still be drilled: a share drill in its window (a schedule always).</summary>
        public bool Accepting(DateTimeOffset now) => Share is not null && (durationS is null || now < created.AddSeconds(durationS.Value));

        public bool Running(DateTimeOffset now) => Accepting(now) || _calls.Exists(c => !c.Finished);

        public void Add(DrilledCall drilled)
        {
            _drilled++;
            if (_calls.Count >= MaxCallsPerDrill)
            {
                var finished = _calls.FindIndex(c => c.Finished);
                _calls.RemoveAt(finished < 0 ? 0 : finished);
            }

            _calls.Add(drilled);
        }

        public string Describe() => call is not null ? $"{Fault} on call {call}"
            : durationS is null ? $"{Share!.Percent} % of new calls, continuously: {Fault}"
            : $"{Share!.Percent} % of new calls for {durationS} s: {Fault}";

        public AdminDrillView View(DateTimeOffset now) => new(
            Id, Fault.ToString(), By, Running(now) ? "running" : "done", created, call, Share?.Percent, durationS,
            Share?.Seen ?? 1, _drilled, [.. _calls.Select(c => c.View())]);
    }
}
