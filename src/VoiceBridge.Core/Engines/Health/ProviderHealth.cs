using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VoiceBridge.Engines.Health;

/// <summary>
/// The health of each provider endpoint (engine name), shared by every call of the process: a
/// breaker per engine, fed by the calls' outcomes (<see cref="ReportFailure"/>,
/// <see cref="ReportSuccess"/>) and by synthetic probes.
/// <list type="bullet">
/// <item>Closed: new calls may start on it. <see cref="ProviderHealthOptions.FailureThreshold"/> hard
/// failures within <see cref="ProviderHealthOptions.FailureWindow"/> [1 in 60 s] open it; a failure
/// with a Retry-After opens it at once for exactly that long.</item>
/// <item>Open: for the Retry-After, else <see cref="ProviderHealthOptions.BreakDuration"/> [5 s];
/// failures meanwhile extend it (never shorten it). No probes while open.</item>
/// <item>HalfOpen: a probe runs as the break ends, then every
/// <see cref="ProviderHealthOptions.ProbeInterval"/>; <see cref="ProviderHealthOptions.GoodProbesToClose"/>
/// [3] good results in a row close it (a trial call's success counts as one); any failure, a bad
/// probe included, opens it again.</item>
/// </list>
/// After a failure that did not open the breaker (threshold above 1) probes run too, until they
/// have seen the same number of good results, so failback always follows good probes.
/// Time comes only from the injected <see cref="TimeProvider"/> (its timers drive the probes and
/// the end of a break), so it runs deterministically on a fake clock. Thread-safe.
/// </summary>
public sealed partial class ProviderHealth : IAsyncDisposable
{
    private readonly ProviderHealthOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<string, CancellationToken, Task<bool>>? _probe;
    private readonly ILogger _logger;
    private readonly int _trialCalls;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<Task> _probesInFlight = [];
    private bool _stopped;

    /// <param name="options">Thresholds; validated here.</param>
    /// <param name="time">The clock (and the timers) of the process.</param>
    /// <param name="probe">
    /// Synthetic probe: true when the engine connected and became ready. Run while an engine is
    /// half-open (and after a failure that did not open it), bounded by
    /// <see cref="ProviderHealthOptions.ProbeTimeout"/>; an exception counts as a bad probe. Null: no probes.
    /// </param>
    public ProviderHealth(ProviderHealthOptions options, TimeProvider time, Func<string, CancellationToken, Task<bool>>? probe = null, ILogger<ProviderHealth>? logger = null)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"provider health options: {string.Join("; ", problems)}", nameof(options));
        }

        _options = options;
        _time = time;
        _probe = probe;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _trialCalls = options.HalfOpenTrialCalls ?? (probe is null ? 1 : 0);
    }

    /// <summary>Raised after each breaker transition, outside any lock (a handler's exception is logged and swallowed).</summary>
    public event Action<BreakerChange>? BreakerChanged;

    public ProviderHealthOptions Options => _options;

    public TimeProvider Time => _time;

    /// <summary>The engine's breaker now.</summary>
    public BreakerState State(string engine) => Read(engine, e => e.State);

    /// <summary>When an open breaker's break ends; null unless open.</summary>
    public DateTimeOffset? OpenUntil(string engine) => Read(engine, e => e.State == BreakerState.Open ? e.OpenUntil : (DateTimeOffset?)null);

    /// <summary>
    /// Whether a new call (or a switch) may use the engine now: closed, or half-open with a free
    /// trial slot. Does not take the slot: selection uses <see cref="TryAdmit"/>.
    /// </summary>
    public bool IsAvailable(string engine) => Read(engine, e => e.State == BreakerState.Closed || (e.State == BreakerState.HalfOpen && e.Trials.Count < _trialCalls));

    /// <summary>Consecutive good results (probes, and trial calls' successes while half-open) since the engine's last failure.</summary>
    public int GoodProbesSinceOpen(string engine) => Read(engine, e => e.GoodSinceFailure);

    /// <summary>
    /// Whether a call may fail back to the engine: closed, and either it never failed in this
    /// process or <see cref="ProviderHealthOptions.GoodProbesToClose"/> good probes came since its last failure.
    /// </summary>
    public bool ReadyForFailback(string engine) => Read(engine, e => !e.EverFailed ? e.State == BreakerState.Closed : HealthyAgain(e));

    /// <summary>
    /// Whether the engine failed in this process and is healthy again: closed, with
    /// <see cref="ProviderHealthOptions.GoodProbesToClose"/> good results since its last failure.
    /// </summary>
    public bool Recovered(string engine) => Read(engine, e => e.EverFailed && HealthyAgain(e));

    private bool HealthyAgain(Entry e) => e.State == BreakerState.Closed && e.GoodSinceFailure >= _options.GoodProbesToClose;

    /// <summary>
    /// Takes the engine for a new call or a switch if it is available: always when closed; when
    /// half-open, only as a trial while a trial slot is free (the slot is freed by the next
    /// success or failure reported, or after <see cref="ProviderHealthOptions.TrialTimeout"/>).
    /// </summary>
    public bool TryAdmit(string engine)
    {
        var changes = new List<BreakerChange>();
        bool admitted;
        lock (_gate)
        {
            var e = Refresh(engine, changes);
            admitted = e.State == BreakerState.Closed;
            if (e.State == BreakerState.HalfOpen && e.Trials.Count < _trialCalls)
            {
                e.Trials.Add(_time.GetUtcNow());
                admitted = true;
            }
        }

        Raise(changes);
        return admitted;
    }

    /// <summary>
    /// A call saw the engine fail hard (cannot connect, socket lost, provider error, stall). With a
    /// <paramref name="retryAfter"/> (the provider's Retry-After) the breaker opens now for exactly
    /// that long (or stays open at least that long); otherwise it opens per the failure threshold.
    /// </summary>
    public void ReportFailure(string engine, string reason, TimeSpan? retryAfter = null)
    {
        var changes = new List<BreakerChange>();
        lock (_gate)
        {
            Fail(Refresh(engine, changes), reason, retryAfter, changes);
        }

        Raise(changes);
        Pump(engine);
    }

    /// <summary>
    /// A call saw the engine work (e.g. a response completed). While half-open it counts as a good
    /// result toward closing, and frees a trial slot; while closed it changes nothing.
    /// </summary>
    public void ReportSuccess(string engine)
    {
        var changes = new List<BreakerChange>();
        lock (_gate)
        {
            var e = Refresh(engine, changes);
            if (e.State == BreakerState.HalfOpen)
            {
                if (e.Trials.Count > 0)
                {
                    e.Trials.RemoveAt(0);
                }

                Good(e, "a call succeeded", changes);
            }
        }

        Raise(changes);
        Pump(engine);
    }

    /// <summary>A synthetic probe's result (the probe timer reports through here too).</summary>
    public void ReportProbe(string engine, bool good, string? detail = null)
    {
        var changes = new List<BreakerChange>();
        lock (_gate)
        {
            var e = Refresh(engine, changes);
            if (good)
            {
                Good(e, "good probe", changes);
            }
            else
            {
                Fail(e, $"probe failed{(detail is null ? "" : ": " + detail)}", null, changes);
            }
        }

        Raise(changes);
        Pump(engine);
    }

    /// <summary>Stops the probes (cancels those in flight and waits for them) and the timers.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] probes;
        List<ITimer> timers = [];
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            foreach (var e in _entries.Values)
            {
                if (e.Timer is { } timer)
                {
                    timers.Add(timer);
                }

                e.Timer = null;
            }

            probes = [.. _probesInFlight];
        }

        // Outside the lock: cancelling runs the probes' continuations inline.
        foreach (var timer in timers)
        {
            timer.Dispose();
        }

        _disposed.Cancel();

        foreach (var probe in probes)
        {
            try
            {
                await probe;
            }
            catch (Exception ex)
            {
                _logger.LogDebug(ex, "probe ended with an error while stopping");
            }
        }
    }

    private T Read<T>(string engine, Func<Entry, T> read)
    {
        var changes = new List<BreakerChange>();
        T value;
        lock (_gate)
        {
            value = read(Refresh(engine, changes));
        }

        Raise(changes);
        return value;
    }

    /// <summary>The engine's entry, with the transitions that are due by now applied (under the lock).</summary>
    private Entry Refresh(string engine, List<BreakerChange> changes)
    {
        if (!_entries.TryGetValue(engine, out var e))
        {
            e = new Entry(engine);
            _entries[engine] = e;
        }

        var now = _time.GetUtcNow();
        if (e.State == BreakerState.Open && now >= e.OpenUntil)
        {
            // Dated when the break ended, even when nobody looked at the engine until later.
            Move(e, BreakerState.HalfOpen, "break over", e.OpenUntil, changes);
            e.NextProbeAt = e.OpenUntil;
        }

        e.Trials.RemoveAll(t => now - t >= _options.TrialTimeout);
        e.Failures.RemoveAll(t => now - t >= _options.FailureWindow);
        return e;
    }

    private void Fail(Entry e, string reason, TimeSpan? retryAfter, List<BreakerChange> changes)
    {
        var now = _time.GetUtcNow();
        e.EverFailed = true;
        e.GoodSinceFailure = 0;
        e.Epoch++;
        e.Failures.Add(now);
        var hasRetryAfter = retryAfter is { } ra && ra > TimeSpan.Zero;
        var until = now + (hasRetryAfter ? retryAfter!.Value : _options.BreakDuration);
        var why = hasRetryAfter ? $"{reason} (Retry-After {retryAfter!.Value.TotalSeconds:0.###} s)" : reason;
        switch (e.State)
        {
            case BreakerState.Open:
                e.OpenUntil = until > e.OpenUntil ? until : e.OpenUntil;
                break;
            case BreakerState.HalfOpen:
                e.OpenUntil = until;
                e.Trials.Clear();
                Move(e, BreakerState.Open, why, now, changes);
                break;
            default:
                if (hasRetryAfter || e.Failures.Count >= _options.FailureThreshold)
                {
                    e.OpenUntil = until;
                    Move(e, BreakerState.Open, hasRetryAfter ? why : $"{why} ({e.Failures.Count} failure(s) in {_options.FailureWindow.TotalSeconds:0} s)", now, changes);
                }
                else
                {
                    e.NextProbeAt = now;
                }

                break;
        }
    }

    private void Good(Entry e, string reason, List<BreakerChange> changes)
    {
        e.GoodSinceFailure++;
        if (e.State == BreakerState.HalfOpen && e.GoodSinceFailure >= _options.GoodProbesToClose)
        {
            e.Trials.Clear();
            Move(e, BreakerState.Closed, $"{e.GoodSinceFailure} good results in a row (last: {reason})", _time.GetUtcNow(), changes);
        }
    }

    private static void Move(Entry e, BreakerState to, string reason, DateTimeOffset at, List<BreakerChange> changes)
    {
        changes.Add(new BreakerChange(e.Engine, e.State, to, reason, at, to == BreakerState.Open ? e.OpenUntil : null));
        e.State = to;
    }

    private void Raise(List<BreakerChange> changes)
    {
        foreach (var change in changes)
        {
            _logger.LogInformation("breaker {Engine}: {From} -> {To} ({Reason})", change.Engine, change.From, change.To, change.Reason);
            Operations.BridgeMetrics.BreakerChanged(change);
            try
            {
                BreakerChanged?.Invoke(change);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "a BreakerChanged handler failed for {Engine}", change.Engine);
            }
        }
    }

    private sealed class Entry(string engine)
    {
        public string Engine { get; } = engine;

        public BreakerState State { get; set; } = BreakerState.Closed;

        public DateTimeOffset OpenUntil { get; set; }

        public List<DateTimeOffset> Failures { get; } = [];

        public List<DateTimeOffset> Trials { get; } = [];

        public int GoodSinceFailure { get; set; }

        public bool EverFailed { get; set; }

        /// <summary>Bumped by each failure: a probe that started before it reports nothing about now.</summary>
        public int Epoch { get; set; }

        public bool ProbeRunning { get; set; }

        public DateTimeOffset NextProbeAt { get; set; }

        public ITimer? Timer { get; set; }

        public int TimerSeq { get; set; }

        public object TimerGate { get; } = new();
    }
}
