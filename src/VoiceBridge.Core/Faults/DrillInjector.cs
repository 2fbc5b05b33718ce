using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Faults;

/// <summary>
/// Carries a drill's fault out on OUR side of an engine's connection, so the real detection path
/// fires on a live server whose provider is real: every WebSocket an engine of a call opens goes
/// through <see cref="Wrap"/>, which can fail the connect (refuse, http5xx, ratelimit) and hands
/// back a socket that can be aborted (close), go silent both ways (blackhole) or deliver a
/// synthetic provider error event (error, ratelimit). Faults are armed per call and engine
/// (<see cref="Arm"/>); an unarmed socket passes everything through untouched. Thread-safe; the
/// lock is taken per connection, arming and strike, never per message.
/// </summary>
public sealed partial class DrillInjector(TimeProvider time, ILogger<DrillInjector> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CallFaults> _calls = new(StringComparer.Ordinal);

    /// <summary>Opens sockets as <paramref name="inner"/> does, for engine <paramref name="engine"/> of call <paramref name="callId"/>, with drills able to act on them.</summary>
    public IWebSocketConnector Wrap(IWebSocketConnector inner, string callId, string engine) => new Connector(this, inner, callId, engine);

    /// <summary>
    /// Arms <paramref name="fault"/> on engine <paramref name="engine"/> of call
    /// <paramref name="callId"/>: at once for <see cref="DrillMoment.Now"/>, else at its moment
    /// counted from now. <paramref name="forceSwitch"/> carries out <see cref="DrillKind.Switch"/>.
    /// </summary>
    public DrillArm Arm(string callId, string engine, DrillFault fault, Action forceSwitch)
    {
        var arm = new DrillArm(callId, engine, fault, forceSwitch);
        lock (_gate)
        {
            var call = Call(callId);
            if (fault.Moment != DrillMoment.Now)
            {
                call.Armed.Add(arm);
            }

            if (fault.Moment == DrillMoment.Turn)
            {
                foreach (var socket in call.Sockets.Where(s => s.Engine == engine))
                {
                    socket.Watch = arm;
                }
            }
        }

        switch (fault.Moment)
        {
            case DrillMoment.Now:
                Strike(arm);
                break;
            case DrillMoment.Seconds:
                arm.Timer = time.CreateTimer(_ => Strike(arm), null, TimeSpan.FromSeconds(fault.N), Timeout.InfiniteTimeSpan);
                break;
        }

        return arm;
    }

    /// <summary>Whether call <paramref name="callId"/> has a connection of <paramref name="engine"/> open now.</summary>
    public bool IsConnected(string callId, string engine)
    {
        lock (_gate)
        {
            return _calls.TryGetValue(callId, out var call) && call.Sockets.Exists(s => s.Engine == engine && s.State == WebSocketState.Open);
        }
    }

    /// <summary>Whether a drill's fault struck engine <paramref name="engine"/> of the call: its failure is the drill's, no evidence against the provider.</summary>
    public bool Struck(string callId, string engine)
    {
        lock (_gate)
        {
            return _calls.TryGetValue(callId, out var call) && call.Struck.Contains(engine);
        }
    }

    /// <summary>The call ended: faults not carried out are dropped (<see cref="DrillArm.Missed"/> says so).</summary>
    public void Forget(string callId)
    {
        List<DrillArm> dropped;
        lock (_gate)
        {
            if (!_calls.Remove(callId, out var call))
            {
                return;
            }

            dropped = call.Armed;
        }

        foreach (var arm in dropped)
        {
            arm.Timer?.Dispose();
            arm.Miss("the call ended before the fault's moment");
            arm.Notify();
        }
    }

    /// <summary>The fault's moment came: carry it out on every open connection of its engine in the call.</summary>
    internal void Strike(DrillArm arm)
    {
        List<DrillSocket> sockets;
        var missed = false;
        lock (_gate)
        {
            if (arm.Done)
            {
                return;
            }

            var call = Call(arm.CallId);
            call.Armed.Remove(arm);
            sockets = [.. call.Sockets.Where(s => s.Engine == arm.Engine && s.State == WebSocketState.Open)];
            if (arm.Fault.Kind != DrillKind.Switch && sockets.Count == 0)
            {
                arm.Miss($"no connection of {arm.Engine} was open on the call");
                missed = true;
            }
            else
            {
                call.Struck.Add(arm.Engine);
                arm.MarkStruck(time.GetUtcNow());
                foreach (var socket in sockets.Where(s => s.Watch == arm))
                {
                    socket.Watch = null;
                }
            }
        }

        if (missed)
        {
            Log.Missed(logger, arm.CallId, arm.Fault.ToString(), arm.Engine);
            arm.Timer?.Dispose();
            arm.Notify();
            return;
        }

        arm.Timer?.Dispose();
        Log.Struck(logger, arm.CallId, arm.Fault.ToString(), arm.Engine);
        switch (arm.Fault.Kind)
        {
            case DrillKind.Switch:
                arm.ForceSwitch();
                break;
            case DrillKind.Close:
                sockets.ForEach(s => s.Drop());
                break;
            case DrillKind.Blackhole:
                sockets.ForEach(s => s.Blackholed = true);
                break;
            default:
                sockets.ForEach(s => s.Inject(arm.Fault.Kind == DrillKind.RateLimit ? DrillSocket.RateLimitEvent : DrillSocket.ErrorEvent));
                break;
        }

        arm.Notify();
    }

    /// <summary>A connection is being opened: the connect fault armed for it, if any (struck now).</summary>
    private DrillArm? TakeConnectFault(string callId, string engine)
    {
        DrillArm? arm;
        lock (_gate)
        {
            if (!_calls.TryGetValue(callId, out var call) || (arm = call.Armed.Find(a => a.Engine == engine && a.Fault.Moment == DrillMoment.Connect)) is null)
            {
                return null;
            }

            call.Armed.Remove(arm);
            call.Struck.Add(engine);
            arm.MarkStruck(time.GetUtcNow());
        }

        Log.Struck(logger, callId, arm.Fault.ToString(), engine);
        arm.Notify();
        return arm;
    }

    private void Opened(DrillSocket socket)
    {
        lock (_gate)
        {
            var call = Call(socket.CallId);
            call.Sockets.Add(socket);
            socket.Watch = call.Armed.Find(a => a.Engine == socket.Engine && a.Fault.Moment == DrillMoment.Turn);
        }
    }

    internal void Closed(DrillSocket socket)
    {
        lock (_gate)
        {
            if (_calls.TryGetValue(socket.CallId, out var call) && call.Sockets.Remove(socket)
                && call.Sockets.Count == 0 && call.Armed.Count == 0 && call.Struck.Count == 0)
            {
                _calls.Remove(socket.CallId);
            }
        }
    }

    private CallFaults Call(string callId)
    {
        if (!_calls.TryGetValue(callId, out var call))
        {
            _calls[callId] = call = new CallFaults();
        }

        return call;
    }

    /// <summary>A call's open connections, armed faults and engines struck.</summary>
    private sealed class CallFaults
    {
        public List<DrillSocket> Sockets { get; } = [];

        public List<DrillArm> Armed { get; } = [];

        public HashSet<string> Struck { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Connector(DrillInjector injector, IWebSocketConnector inner, string callId, string engine) : IWebSocketConnector
    {
        public async Task<WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
        {
            if (injector.TakeConnectFault(callId, engine) is { } fault)
            {
                throw fault.Fault.Kind switch
                {
                    DrillKind.Refuse => new ConnectFailedException(uri, null, "connection refused (drill: no provider was contacted)"),
                    DrillKind.RateLimit => new ConnectFailedException(uri, 429, "upgrade rejected with HTTP 429 (drill: no provider was contacted)") { RetryAfterSeconds = 20 },
                    _ => new ConnectFailedException(uri, 503, "upgrade rejected with HTTP 503 (drill: no provider was contacted)"),
                };
            }

            var socket = new DrillSocket(await inner.ConnectAsync(uri, headers, cancellationToken), injector, callId, engine);
            injector.Opened(socket);
            return socket;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Call {CallId}: drill fault {Fault} carried out on our side of {Engine}'s connection")]
        public static partial void Struck(ILogger logger, string callId, string fault, string engine);

        [LoggerMessage(2, LogLevel.Warning, "Call {CallId}: drill fault {Fault} found no open connection of {Engine}; nothing done")]
        public static partial void Missed(ILogger logger, string callId, string fault, string engine);
    }
}

/// <summary>One drill fault armed on one call's engine, and what became of it.</summary>
public sealed class DrillArm
{
    private readonly Lock _gate = new();
    private readonly Action _forceSwitch;
    private Action<DrillArm>? _onDone;

    internal DrillArm(string callId, string engine, DrillFault fault, Action forceSwitch)
    {
        CallId = callId;
        Engine = engine;
        Fault = fault;
        _forceSwitch = forceSwitch;
    }

    public string CallId { get; }

    public string Engine { get; }

    public DrillFault Fault { get; }

    /// <summary>When the fault was carried out (UTC), once it was.</summary>
    public DateTimeOffset? StruckAt { get; private set; }

    /// <summary>Why the fault was not carried out, when it was not.</summary>
    public string? Missed { get; private set; }

    /// <summary>Struck or missed: nothing more will happen.</summary>
    public bool Done => StruckAt is not null || Missed is not null;

    /// <summary>Spoken responses of the engine seen since arming (a turn fault's count).</summary>
    internal int Responses { get; set; }

    internal ITimer? Timer { get; set; }

    /// <summary>Runs <paramref name="onDone"/> once the fault struck or missed (at once when it already has).</summary>
    public void OnDone(Action<DrillArm> onDone)
    {
        lock (_gate)
        {
            if (!Done)
            {
                _onDone = onDone;
                return;
            }
        }

        onDone(this);
    }

    internal void ForceSwitch() => _forceSwitch();

    internal void MarkStruck(DateTimeOffset at) => StruckAt = at;

    internal void Miss(string why) => Missed ??= why;

    internal void Notify()
    {
        Action<DrillArm>? onDone;
        lock (_gate)
        {
            onDone = _onDone;
            _onDone = null;
        }

        onDone?.Invoke(this);
    }
}
