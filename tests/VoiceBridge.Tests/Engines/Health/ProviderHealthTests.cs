using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Engines.Health;

namespace VoiceBridge.Tests.Engines.Health;

/// <summary>
/// The shared per-provider breakers on a fake clock: opening for call volumes, Retry-After, the
/// half-open trial, probes closing after N good ones, a bad probe resetting, failback readiness.
/// Synchronous and deterministic: time moves only when the test advances it.
/// </summary>
public sealed class ProviderHealthTests : IDisposable
{
    private const string Primary = "openai-realtime";
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 15, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<BreakerChange> _changes = [];
    private readonly SynchronizationContext? _context = SynchronizationContext.Current;

    public ProviderHealthTests() =>
        // Continuations run inline where a probe's task completes: no test framework context in between.
        SynchronizationContext.SetSynchronizationContext(null);

    public void Dispose() => SynchronizationContext.SetSynchronizationContext(_context);

    [Fact]
    public void One_hard_failure_opens_the_breaker_by_default_and_says_why()
    {
        var health = New();
        Assert.True(health.IsAvailable(Primary));

        health.ReportFailure(Primary, "cannot-connect");

        Assert.Equal(BreakerState.Open, health.State(Primary));
        Assert.False(health.IsAvailable(Primary));
        Assert.False(health.TryAdmit(Primary));
        Assert.Equal(Start + TimeSpan.FromSeconds(5), health.OpenUntil(Primary));
        var change = Assert.Single(_changes);
        Assert.Equal((Primary, BreakerState.Closed, BreakerState.Open, Start), (change.Engine, change.From, change.To, change.At));
        Assert.StartsWith("cannot-connect", change.Reason);
        Assert.True(health.IsAvailable("azure-realtime"), "other engines are not affected");
    }

    [Fact]
    public void A_higher_threshold_counts_failures_within_the_window_only()
    {
        var health = New(new ProviderHealthOptions { FailureThreshold = 2, FailureWindow = TimeSpan.FromSeconds(30) });

        health.ReportFailure(Primary, "socket-lost");
        Assert.Equal(BreakerState.Closed, health.State(Primary));
        _time.Advance(TimeSpan.FromSeconds(30));
        health.ReportFailure(Primary, "socket-lost");
        Assert.Equal(BreakerState.Closed, health.State(Primary));
        _time.Advance(TimeSpan.FromSeconds(29));
        health.ReportFailure(Primary, "provider-error");

        Assert.Equal(BreakerState.Open, health.State(Primary));
        Assert.Contains("2 failure(s) in 30 s", Assert.Single(_changes).Reason);
    }

    [Fact]
    public void Retry_after_opens_the_breaker_for_exactly_that_long_even_under_the_threshold()
    {
        var health = New(new ProviderHealthOptions { FailureThreshold = 5 });

        health.ReportFailure(Primary, "rate-limited", TimeSpan.FromSeconds(20));

        Assert.Equal(BreakerState.Open, health.State(Primary));
        Assert.Equal(Start + TimeSpan.FromSeconds(20), health.OpenUntil(Primary));
        _time.Advance(TimeSpan.FromSeconds(20) - TimeSpan.FromTicks(1));
        Assert.Equal(BreakerState.Open, health.State(Primary));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(BreakerState.HalfOpen, health.State(Primary));
        Assert.Equal(
            [(BreakerState.Closed, BreakerState.Open, Start), (BreakerState.Open, BreakerState.HalfOpen, Start + TimeSpan.FromSeconds(20))],
            _changes.Select(c => (c.From, c.To, c.At)));
        Assert.Contains("Retry-After 20 s", _changes[0].Reason);
    }

    [Fact]
    public void The_end_of_a_break_is_announced_without_anyone_asking_dated_when_it_ended()
    {
        var health = New();
        health.ReportFailure(Primary, "socket-lost");

        _time.Advance(TimeSpan.FromSeconds(7));

        // Nobody asked; the breaker's own timer moved it, dated at the end of the 5 s break.
        Assert.Equal((BreakerState.Open, BreakerState.HalfOpen, Start + TimeSpan.FromSeconds(5)), (_changes[^1].From, _changes[^1].To, _changes[^1].At));
    }

    [Fact]
    public void Failures_while_open_extend_the_break_and_never_shorten_it()
    {
        var health = New();
        health.ReportFailure(Primary, "rate-limited", TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(10));

        health.ReportFailure(Primary, "socket-lost");
        Assert.Equal(Start + TimeSpan.FromSeconds(30), health.OpenUntil(Primary));
        health.ReportFailure(Primary, "rate-limited", TimeSpan.FromSeconds(60));
        Assert.Equal(Start + TimeSpan.FromSeconds(70), health.OpenUntil(Primary));
        Assert.Single(_changes);
    }

    [Fact]
    public void Without_probes_a_half_open_engine_takes_one_trial_call_at_a_time_and_successes_close_it()
    {
        var health = New();
        health.ReportFailure(Primary, "socket-lost");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(BreakerState.HalfOpen, health.State(Primary));

        Assert.True(health.IsAvailable(Primary));
        Assert.True(health.TryAdmit(Primary));
        Assert.False(health.IsAvailable(Primary));
        Assert.False(health.TryAdmit(Primary), "a second call waits for the trial");

        health.ReportSuccess(Primary);
        Assert.Equal(BreakerState.HalfOpen, health.State(Primary));
        Assert.Equal(1, health.GoodProbesSinceOpen(Primary));
        Assert.True(health.TryAdmit(Primary), "the trial's success freed the slot");
        health.ReportSuccess(Primary);
        health.ReportSuccess(Primary);

        Assert.Equal(BreakerState.Closed, health.State(Primary));
        Assert.True(health.ReadyForFailback(Primary));
        Assert.Equal(BreakerState.Closed, _changes[^1].To);
    }

    [Fact]
    public void A_failed_trial_opens_the_breaker_again_and_an_abandoned_trial_frees_its_slot()
    {
        var health = New();
        health.ReportFailure(Primary, "socket-lost");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(health.TryAdmit(Primary));

        health.ReportFailure(Primary, "response-stall");
        Assert.Equal(BreakerState.Open, health.State(Primary));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(5), health.OpenUntil(Primary));

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(health.TryAdmit(Primary));
        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.False(health.IsAvailable(Primary));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(health.IsAvailable(Primary), "a trial that never reported frees its slot after the trial timeout");
    }

    [Fact]
    public void Probes_run_from_the_end_of_the_break_every_interval_and_three_good_ones_close_the_breaker()
    {
        var probe = new ProbeDouble(_time);
        var health = New(probe: probe);
        health.ReportFailure(Primary, "cannot-connect");
        Assert.Empty(probe.Calls);

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(probe.Calls);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([Start + TimeSpan.FromSeconds(5)], probe.Calls.Select(c => c.At));
        Assert.Equal(BreakerState.HalfOpen, health.State(Primary));
        Assert.False(health.IsAvailable(Primary), "with probes, no caller is a trial");
        Assert.False(health.ReadyForFailback(Primary));

        Run(TimeSpan.FromSeconds(10));

        Assert.Equal([5, 10, 15], probe.Calls.Select(c => (c.At - Start).TotalSeconds));
        Assert.Equal(BreakerState.Closed, health.State(Primary));
        Assert.Equal(3, health.GoodProbesSinceOpen(Primary));
        Assert.True(health.ReadyForFailback(Primary));
        Assert.Equal(
            [(BreakerState.Closed, BreakerState.Open), (BreakerState.Open, BreakerState.HalfOpen), (BreakerState.HalfOpen, BreakerState.Closed)],
            _changes.Select(c => (c.From, c.To)));
        Assert.Equal(Start + TimeSpan.FromSeconds(15), _changes[^1].At);

        Run(TimeSpan.FromMinutes(5));
        Assert.Equal(3, probe.Calls.Count);
    }

    [Fact]
    public void A_bad_probe_opens_the_breaker_again_and_the_count_starts_over()
    {
        var probe = new ProbeDouble(_time);
        var health = New(probe: probe);
        health.ReportFailure(Primary, "cannot-connect");
        probe.Results.Enqueue(true);
        probe.Results.Enqueue(true);
        probe.Results.Enqueue(false);

        Run(TimeSpan.FromSeconds(15));
        Assert.Equal(BreakerState.Open, health.State(Primary));
        Assert.Equal(0, health.GoodProbesSinceOpen(Primary));
        Assert.Contains("probe failed", _changes[^1].Reason);
        Assert.Equal(Start + TimeSpan.FromSeconds(20), health.OpenUntil(Primary));

        Run(TimeSpan.FromSeconds(5 + 5));
        Assert.Equal(BreakerState.HalfOpen, health.State(Primary));
        Assert.Equal(2, health.GoodProbesSinceOpen(Primary));
        Run(TimeSpan.FromSeconds(5));
        Assert.Equal(BreakerState.Closed, health.State(Primary));
        Assert.Equal([5, 10, 15, 20, 25, 30], probe.Calls.Select(c => (c.At - Start).TotalSeconds));
    }

    [Fact]
    public void A_probe_that_does_not_answer_in_time_is_a_bad_one_and_the_next_one_waits_the_interval()
    {
        var probe = new ProbeDouble(_time) { Pending = true };
        var health = New(probe: probe);
        health.ReportFailure(Primary, "socket-lost");

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(probe.Calls);
        Assert.False(probe.Calls[0].Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(probe.Calls[0].Token.IsCancellationRequested, "the probe is told to give up");
        Assert.Equal(BreakerState.Open, health.State(Primary));
        Assert.Contains("no answer within 5 s", _changes[^1].Reason);
        Assert.Single(probe.Calls);
    }

    [Fact]
    public void A_probe_that_was_running_when_a_call_failed_does_not_count()
    {
        var probe = new ProbeDouble(_time) { Pending = true };
        var health = New(probe: probe);
        health.ReportFailure(Primary, "socket-lost");
        _time.Advance(TimeSpan.FromSeconds(5));
        var running = Assert.Single(probe.Calls);

        health.ReportFailure(Primary, "response-stall");
        running.Result.SetResult(true);

        Assert.Equal(BreakerState.Open, health.State(Primary));
        Assert.Equal(0, health.GoodProbesSinceOpen(Primary));
    }

    [Fact]
    public void Answers_from_probes_that_finish_later_count_in_order()
    {
        var probe = new ProbeDouble(_time) { Pending = true };
        var health = New(probe: probe);
        health.ReportFailure(Primary, "socket-lost");
        _time.Advance(TimeSpan.FromSeconds(5));

        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(300));
            probe.Calls[^1].Result.SetResult(true);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(BreakerState.Closed, health.State(Primary));
        Assert.Equal([5, 10.3, 15.6], probe.Calls.Select(c => (c.At - Start).TotalSeconds));
    }

    [Fact]
    public void After_a_failure_that_did_not_open_the_breaker_probes_run_until_failback_is_safe()
    {
        var probe = new ProbeDouble(_time);
        var health = New(new ProviderHealthOptions { FailureThreshold = 2 }, probe);
        Assert.True(health.ReadyForFailback(Primary), "an engine that never failed is ready");
        Assert.False(health.Recovered(Primary), "an engine that never failed has nothing to recover from");

        health.ReportFailure(Primary, "socket-lost");

        Assert.Equal(BreakerState.Closed, health.State(Primary));
        Assert.False(health.ReadyForFailback(Primary));
        Assert.False(health.Recovered(Primary));
        Run(TimeSpan.FromSeconds(10));
        Assert.True(health.ReadyForFailback(Primary));
        Assert.True(health.Recovered(Primary));
        Assert.Equal([0, 5, 10], probe.Calls.Select(c => (c.At - Start).TotalSeconds));
        Assert.Empty(_changes);
    }

    [Fact]
    public async Task Disposal_stops_the_probes()
    {
        var probe = new ProbeDouble(_time) { Pending = true };
        var health = New(probe: probe);
        health.ReportFailure(Primary, "socket-lost");
        _time.Advance(TimeSpan.FromSeconds(5));
        var running = Assert.Single(probe.Calls);

        var disposing = health.DisposeAsync().AsTask();
        Assert.True(running.Token.IsCancellationRequested);
        running.Result.SetCanceled(running.Token);
        await disposing;
        Run(TimeSpan.FromMinutes(1));

        Assert.Single(probe.Calls);
        Assert.DoesNotContain(_changes, c => c.At > Start + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Concurrent_reports_from_many_calls_leave_one_consistent_state()
    {
        var health = New(new ProviderHealthOptions { FailureThreshold = 50 });

        Parallel.For(0, 200, i =>
        {
            if (i % 2 == 0)
            {
                health.ReportFailure(Primary, "socket-lost");
            }
            else
            {
                health.TryAdmit(Primary);
                health.ReportSuccess(Primary);
            }
        });

        Assert.Equal(BreakerState.Open, health.State(Primary));
        Assert.Equal((BreakerState.Closed, BreakerState.Open), (Assert.Single(_changes).From, _changes[0].To));
    }

    [Fact]
    public void Bad_options_are_rejected_naming_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => new ProviderHealth(new ProviderHealthOptions { FailureThreshold = 0, ProbeInterval = TimeSpan.Zero }, _time));
        Assert.Contains("FailureThreshold", e.Message);
        Assert.Contains("ProbeInterval", e.Message);
    }

    /// <summary>Moves the fake clock on in 100 ms steps, so each timer fires at its own instant (FakeTimeProvider fires every due timer at the end of one Advance).</summary>
    private void Run(TimeSpan span)
    {
        for (var left = span; left > TimeSpan.Zero; left -= Step)
        {
            _time.Advance(left < Step ? left : Step);
        }
    }

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private ProviderHealth New(ProviderHealthOptions? options = null, ProbeDouble? probe = null)
    {
        var health = new ProviderHealth(options ?? new ProviderHealthOptions(), _time, probe is null ? null : probe.RunAsync);
        health.BreakerChanged += change =>
        {
            lock (_changes)
            {
                _changes.Add(change);
            }
        };
        return health;
    }

    /// <summary>A synthetic probe the test answers: at once from <see cref="Results"/> (good by default), or later when <see cref="Pending"/>.</summary>
    internal sealed class ProbeDouble(TimeProvider time)
    {
        public List<(string Engine, DateTimeOffset At, CancellationToken Token, TaskCompletionSource<bool> Result)> Calls { get; } = [];

        public Queue<bool> Results { get; } = new();

        public bool Pending { get; init; }

        public Task<bool> RunAsync(string engine, CancellationToken cancellationToken)
        {
            var result = new TaskCompletionSource<bool>();
            Calls.Add((engine, time.GetUtcNow(), cancellationToken, result));
            if (!Pending)
            {
                result.SetResult(!Results.TryDequeue(out var good) || good);
            }

            return result.Task;
        }
    }
}
