using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;

namespace VoiceBridge.Hosting;

/// <summary>
/// Fire drills on a live node (docs/failover.md, "Fire drills"): a fault forced on one live call,
/// on a share of the new calls of a time window, or continuously on a share of new calls (the
/// schedule). Each drilled call is audited (kind <c>drill</c>: the fault and who asked) before its
/// fault is armed; the fault is carried out on our side of the engine's connection
/// (<see cref="DrillInjector"/>), so the real detection path makes the switch, audited as usual.
/// It watches every call of the node (the engine answering, the drilled calls' switches) through
/// the call's own event feed. Thread-safe.
/// </summary>
public sealed partial class AdminDrills
{
    /// <summary>Drills kept; the oldest finished one goes first.</summary>
    public const int MaxDrills = 100;

    /// <summary>Drilled calls a drill keeps (a schedule runs for ever); the count goes on.</summary>
    public const int MaxCallsPerDrill = 500;

    private readonly BridgeComposition _bridge;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LiveCall> _live = new(StringComparer.Ordinal);
    private readonly List<Drill> _drills = [];

    /// <summary>Attaches drills to <paramref name="bridge"/>: its engines' sockets go through <see cref="Injector"/> and its new calls are seen here.</summary>
    public AdminDrills(BridgeComposition bridge, IAuditLog audit, TimeProvider time, ILoggerFactory loggers)
    {
        _bridge = bridge;
        _audit = audit;
        _time = time;
        _logger = loggers.CreateLogger<AdminDrills>();
        Injector = new DrillInjector(time, loggers.CreateLogger<DrillInjector>());
        bridge.Engines.Drills = Injector;
        bridge.CallCreated += OnCallCreated;
    }

    public DrillInjector Injector { get; }

    /// <summary>The node's live calls, oldest first.</summary>
    public AdminCallsView Calls()
    {
        lock (_gate)
        {
            return new AdminCallsView([.. _live.Values.OrderBy(c => c.Started).Select(c => new AdminCallView(c.Session.CallId, c.Leg, c.Engine, c.Started))]);
        }
    }

    /// <summary>The drill <paramref name="id"/> as it stands, or null.</summary>
    public AdminDrillView? Find(string id)
    {
        lock (_gate)
        {
            return _drills.Find(d => d.Id == id)?.View(_time.GetUtcNow());
        }
    }

    /// <summary>
    /// Starts a drill. Returns 202 and the drill; 400 for a bad request (the error names it), 404
    /// for a call that is not live, 409 when the call has nothing the fault can act on now, 503
    /// when <see cref="MaxDrills"/> drills are running.
    /// </summary>
    public (int Status, AdminDrillView? Drill, string? Error) Start(AdminDrillRequest request, string by)
    {
        ArgumentNullException.ThrowIfNull(request);
        var liveCall = request.Call is not null;
        if (Problem(request) is { } problem)
        {
            return (400, null, problem);
        }

        if (!DrillFault.TryParse(request.Fault, liveCall, out var fault, out var error))
        {
            return (400, null, error);
        }

        if (ResolveTarget(fault!, out var engine) is { } targetProblem)
        {
            return (400, null, targetProblem);
        }

        var now = _time.GetUtcNow();
        Drill drill;
        LiveCall? call = null;
        lock (_gate)
        {
            if (liveCall)
            {
                if (!_live.TryGetValue(request.Call!, out call))
                {
                    return (404, null, $"no live call '{request.Call}'");
                }

                if (fault!.Moment == DrillMoment.Now && NotActionable(call, fault, engine) is { } conflict)
                {
                    return (409, null, conflict);
                }
            }

            if (!MakeRoom())
            {
                return (503, null, $"{MaxDrills} drills are running; wait for one to finish");
            }

            var id = "drill-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            drill = liveCall
                ? new Drill(id, fault!, engine, by, now, request.Call, null, null)
                : new Drill(id, fault!, engine, by, now, null, new DrillShare(request.Share!.Value), request.DurationS);
            _drills.Add(drill);
        }

        Log.DrillStarted(_logger, drill.Id, drill.Describe(), by);
        if (call is not null)
        {
            Take(drill, call);
        }
        else
        {
            _audit.Record(new AuditEvent("drill", AuditEvent.NoCall, now, 0, engine, null, drill.Describe(),
                JsonSerializer.Serialize(new { drill = drill.Id, fault = fault!.ToString(), by, share = request.Share, durationS = request.DurationS })));
        }

        lock (_gate)
        {
            return (202, drill.View(now), null);
        }
    }

    /// <summary>
    /// The production schedule (<c>serve --drill-schedule PCT:SPEC</c>): <paramref name="percent"/>
    /// of every new call, for as long as the node runs, drilled with <paramref name="fault"/>.
    /// </summary>
    public AdminDrillView Schedule(decimal percent, DrillFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (ResolveTarget(fault, out var engine) is { } problem)
        {
            throw new ArgumentException(problem, nameof(fault));
        }

        var drill = new Drill("schedule", fault, engine, "schedule", _time.GetUtcNow(), null, new DrillShare(percent), null);
        lock (_gate)
        {
            _drills.Add(drill);
            return drill.View(_time.GetUtcNow());
        }
    }

    /// <summary>Why a schedule's <c>PCT:SPEC</c> cannot run on <paramref name="chain"/>; null when it can.</summary>
    public static string? ScheduleProblem(string text, ChainSpec chain, out decimal percent, out DrillFault? fault)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(chain);
        fault = null;
        percent = 0;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !decimal.TryParse(text[..colon], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent))
        {
            return $"'{text}': expected PCT:SPEC, e.g. 1:primary:close@turn2 (1 % of new calls)";
        }

        if (DrillShare.ParseProblem(percent) is { } shareProblem)
        {
            return $"'{text}': {shareProblem}";
        }

        if (!DrillFault.TryParse(text[(colon + 1)..], liveCall: false, out fault, out var error))
        {
            return error;
        }

        return TargetProblem(fault!, chain, out _);
    }

    private static string? Problem(AdminDrillRequest request)
    {
        if ((request.Call is null) == (request.Share is null))
        {
            return "give either \"call\" (one live call) or \"share\" with \"durationS\" (a share of new calls)";
        }

        if (request.Call is { } call && (call.Length is 0 or > 128))
        {
            return "\"call\": a call id of 1-128 characters";
        }

        if (request.Share is { } share)
        {
            if (DrillShare.ParseProblem(share) is { } shareProblem)
            {
                return $"\"share\": {shareProblem}";
            }

            if (request.DurationS is not (> 0 and <= 86_400))
            {
                return $"\"durationS\": the window for new calls, 1-86400 seconds (got {request.DurationS?.ToString(CultureInfo.InvariantCulture) ?? "none"})";
            }
        }
        else if (request.DurationS is not null)
        {
            return "\"durationS\" goes with \"share\", not with \"call\"";
        }

        return null;
    }

    private string? ResolveTarget(DrillFault fault, out string engine) => TargetProblem(fault, _bridge.Engines.Chain, out engine);

    private static string? TargetProblem(DrillFault fault, ChainSpec chain, out string engine)
    {
        var spec = fault.Target == "primary" ? chain.Primary : chain.Engines.FirstOrDefault(e => e.Name == fault.Target);
        engine = spec?.Name ?? fault.Target;
        if (spec is null)
        {
            return $"fault '{fault}': '{fault.Target}' is not an engine of the chain {chain} (engines: {string.Join(", ", chain.Engines.Select(e => e.Name))}, or primary)";
        }

        return fault.Kind != DrillKind.Switch && spec.Kind != EngineKind.Realtime
            ? $"fault '{fault}': {spec.Name} is a cascade; a live drill acts on a Realtime engine's WebSocket, and a cascade's stages "
                + "(local ones have no connection at all) are out of scope here: use drill (the forced switch) on it, or replay --fault NAME.stt|.llm|.tts"
            : null;
    }

    /// <summary>Why a fault due now has nothing to act on in <paramref name="call"/>; null when it has.</summary>
    private string? NotActionable(LiveCall call, DrillFault fault, string engine)
    {
        if (fault.Kind == DrillKind.Switch)
        {
            return call.Engine == engine ? null : $"call '{call.Session.CallId}' is not on {engine} (it is on {call.Engine ?? "no engine yet"})";
        }

        return Injector.IsConnected(call.Session.CallId, engine)
            ? null
            : $"call '{call.Session.CallId}' has no open connection to {engine} (it is on {call.Engine ?? "no engine yet"})";
    }

    /// <summary>Keeps at most <see cref="MaxDrills"/>: drops the oldest finished one; false when all are running.</summary>
    private bool MakeRoom()
    {
        if (_drills.Count < MaxDrills)
        {
            return true;
        }

        var now = _time.GetUtcNow();
        var finished = _drills.FindIndex(d => !d.Running(now));
        if (finished < 0)
        {
            return false;
        }

        _drills.RemoveAt(finished);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Drill {Drill}: {What}, asked by {By}")]
        public static partial void DrillStarted(ILogger logger, string drill, string what, string by);

        [LoggerMessage(2, LogLevel.Warning, "Call {CallId}: drilled by {Drill} with {Fault} on {Engine}")]
        public static partial void CallDrilled(ILogger logger, string callId, string drill, string fault, string engine);

        [LoggerMessage(3, LogLevel.Warning, "Call {CallId}: watching its events failed")]
        public static partial void WatchFailed(ILogger logger, string callId, Exception exception);
    }
}
