using VoiceBridge.Faults;
using VoiceBridge.Transport;

namespace VoiceBridge.Simulator;

/// <summary>
/// The faults a simulated provider is to inject, and when each actually struck (for the report's
/// <c>faultAtMs</c>). Counting is per simulator (one per replayed call): the Nth caller utterance
/// and the Nth spoken response it has seen. A connection fault strikes every connection; a
/// degradation (<see cref="FaultKind.Slow"/>, <see cref="FaultKind.EmptyTranscript"/>) strikes its
/// turn and every later one (a provider that got slow or deaf stays so: the soft triggers need N
/// bad turns in a row); the others strike once. Every simulator that injects faults (the Realtime
/// one, the cascade stages' and the local stages' fault decorators) decides here when one is due.
/// </summary>
public sealed class FaultPlan(IEnumerable<FaultSpec> faults, TimeProvider time)
{
    private readonly List<FaultSpec> _armed = [.. faults];
    private readonly List<(FaultSpec Fault, long Timestamp)> _fired = [];
    private readonly object _gate = new();
    private int _utterances;
    private int _responses;

    /// <summary>The Retry-After (seconds) a simulated rate limit asks for.</summary>
    public const int RetryAfterSeconds = 20;

    public static FaultPlan None(TimeProvider time) => new([], time);

    /// <summary>Whether a new connection or request is turned away by a planned connection fault, and how.</summary>
    public ConnectRejection? Admit() => OnConnect() switch
    {
        null => null,
        { Kind: FaultKind.Refuse } => new ConnectRejection(null),
        { Kind: FaultKind.RateLimit } => new ConnectRejection(429, RetryAfterSeconds),
        _ => new ConnectRejection(503),
    };

    /// <summary>
    /// Whether a turn fault planned for a response strikes now: at its first chunk (<c>turnN</c>,
    /// <c>turnN@first</c>) or once <paramref name="sentMs"/> of it went out (<c>turnN+MS</c>);
    /// <c>turnN@done</c> strikes when the response ends, which its simulator knows.
    /// </summary>
    public static bool DueAt(FaultSpec fault, bool first, long sentMs) => fault.When.Point switch
    {
        TurnPoint.Offset => sentMs >= fault.When.OffsetMs,
        TurnPoint.Done => false,
        _ => first,
    };

    /// <summary>Faults that struck, with the <see cref="TimeProvider"/> timestamp of each.</summary>
    public IReadOnlyList<(FaultSpec Fault, long Timestamp)> Fired
    {
        get
        {
            lock (_gate)
            {
                return [.. _fired];
            }
        }
    }

    /// <summary>A connection fault for a new connection, if one is planned.</summary>
    public FaultSpec? OnConnect()
    {
        lock (_gate)
        {
            var fault = _armed.FirstOrDefault(f => f.When.Moment == FaultMoment.Connect);
            if (fault is not null)
            {
                _fired.Add((fault, time.GetTimestamp()));
            }

            return fault;
        }
    }

    /// <summary>The caller began an utterance: the fault planned for it, if any (its offset still to wait).</summary>
    public FaultSpec? OnUtterance() => Take(FaultMoment.User, ++_utterances);

    /// <summary>A spoken response began: the fault planned for it, if any.</summary>
    public FaultSpec? OnResponse() => Take(FaultMoment.Turn, ++_responses);

    /// <summary>The provider recovers: every fault not yet carried out is dropped (connection faults included).</summary>
    public void Recover()
    {
        lock (_gate)
        {
            _armed.Clear();
        }
    }

    /// <summary>Faults that strike at a time into the call.</summary>
    public IReadOnlyList<FaultSpec> Timed()
    {
        lock (_gate)
        {
            var timed = _armed.Where(f => f.When.Moment == FaultMoment.Seconds).ToList();
            _armed.RemoveAll(timed.Contains);
            return timed;
        }
    }

    /// <summary>The simulator carried the fault out now.</summary>
    public void Strike(FaultSpec fault)
    {
        lock (_gate)
        {
            // A degradation began when it first struck: that is its faultAtMs.
            if (IsDegradation(fault) && _fired.Exists(f => f.Fault == fault))
            {
                return;
            }

            _fired.Add((fault, time.GetTimestamp()));
        }
    }

    private FaultSpec? Take(FaultMoment moment, int n)
    {
        lock (_gate)
        {
            var fault = _armed.FirstOrDefault(f => f.When.Moment == moment && (f.When.N == n || (IsDegradation(f) && f.When.N < n)));
            if (fault is not null && !IsDegradation(fault))
            {
                _armed.Remove(fault);
            }

            return fault;
        }
    }

    private static bool IsDegradation(FaultSpec fault) => fault.Kind is FaultKind.Slow or FaultKind.EmptyTranscript;
}
