using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Faults;
using VoiceBridge.Hosting;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Engines.Health;

/// <summary>
/// Where calls go, on the chain the call session uses (<see cref="EngineFactory"/> with the shared
/// health): tiers first, the cheaper available engine inside a tier, never an engine that failed in
/// the call, failback only after good probes and the dwell; and the probe and audit composition.
/// </summary>
public sealed class ChainRoutingTests(ITestOutputHelper output) : IDisposable
{
    private const string Tiered = "tier1: openai-realtime, azure-realtime | tier2: cascade-remote | tier3: local";
    private static readonly IReadOnlySet<int> NoneLeft = new HashSet<int>();
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 15, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly SynchronizationContext? _context = Swap(null);

    public void Dispose() => Swap(_context);

    [Fact]
    public void A_new_call_starts_on_the_cheapest_available_engine_of_the_best_available_tier()
    {
        var (chain, health) = Chain(Tiered, "azure-realtime=0.25");
        IEngineChain c = chain;

        Assert.Equal(1, c.FirstAvailable());
        health.ReportFailure("azure-realtime", "cannot-connect");
        Assert.Equal(0, c.FirstAvailable());
        health.ReportFailure("openai-realtime", "cannot-connect");
        Assert.Equal(2, c.FirstAvailable());
        health.ReportFailure("cascade-remote", "cannot-connect");
        Assert.Equal(3, c.FirstAvailable());
        health.ReportFailure("local", "cannot-connect");
        Assert.Null(c.FirstAvailable());
    }

    [Fact]
    public void Equal_costs_keep_the_chain_order_and_the_original_syntax_is_one_engine_per_tier()
    {
        IEngineChain tiered = Chain(Tiered).Chain;
        Assert.Equal(0, tiered.FirstAvailable());
        Assert.Equal([0, 0, 1, 2], Enumerable.Range(0, 4).Select(tiered.TierOf));
        Assert.Equal([0.30m, 0.30m, 0.10m, 0m], Enumerable.Range(0, 4).Select(tiered.CostOf));

        // local is cheaper, but each engine is a tier of its own: quality first.
        IEngineChain ordered = Chain("openai-realtime,local").Chain;
        Assert.Equal(0, ordered.FirstAvailable());
        Assert.Equal(1, ordered.NextAvailable(0, new HashSet<int> { 0 }));
    }

    [Fact]
    public void With_the_primary_down_the_next_calls_start_on_the_fallback_and_live_calls_see_it_open()
    {
        var (chain, _) = Chain("openai-realtime,local");
        IEngineChain c = chain;
        var first = c.FirstAvailable();
        var live = c.FirstAvailable();
        Assert.Equal((0, 0), (first, live));

        // The first call's engine fails: it reports, then moves on.
        c.ReportFailure(0, "cannot-connect");
        Assert.Equal(1, c.NextAvailable(0, new HashSet<int> { 0 }));

        // Every later call starts on the fallback at once; a call still on the primary sees the
        // breaker open at its next turn boundary and moves.
        Assert.Equal(1, c.FirstAvailable());
        Assert.Equal(1, c.FirstAvailable());
        Assert.Equal(BreakerState.Open, c.StateOf(0));
        Assert.Equal(1, c.NextAvailable(0, new HashSet<int>()));
    }

    [Fact]
    public void A_switch_tries_the_same_tier_cheapest_first_then_lower_tiers_never_an_engine_failed_in_the_call()
    {
        var (chain, health) = Chain("tier1: openai-realtime, azure-realtime | tier2: cascade-remote, local | tier3: cascade(stt=openai,llm=openai,tts=openai)",
            "azure-realtime=0.25", "local=0.5");
        IEngineChain c = chain;

        Assert.Equal(1, c.FirstAvailable());
        Assert.Equal(0, c.NextAvailable(1, new HashSet<int> { 1 }));
        Assert.Equal(2, c.NextAvailable(0, new HashSet<int> { 0, 1 }));
        Assert.Equal(3, c.NextAvailable(2, new HashSet<int> { 0, 1, 2 }));
        Assert.Equal(4, c.NextAvailable(3, new HashSet<int> { 0, 1, 2, 3 }));
        Assert.Null(c.NextAvailable(4, new HashSet<int> { 0, 1, 2, 3, 4 }));

        // An engine whose breaker is open is skipped too, though it did not fail in this call.
        health.ReportFailure("openai-realtime", "socket-lost");
        Assert.Equal(2, c.NextAvailable(1, new HashSet<int> { 1 }));
        // A planned move (not a failure) never returns the current engine.
        Assert.Equal(2, c.NextAvailable(1, new HashSet<int>()));
    }

    [Fact]
    public void A_call_that_started_low_goes_back_up_on_a_switch_when_the_higher_tier_recovered()
    {
        var (chain, health) = Chain(Tiered);
        IEngineChain c = chain;
        health.ReportFailure("openai-realtime", "cannot-connect", TimeSpan.FromSeconds(10));
        health.ReportFailure("azure-realtime", "cannot-connect", TimeSpan.FromSeconds(10));
        Assert.Equal(2, c.FirstAvailable());

        _time.Advance(TimeSpan.FromSeconds(10));
        c.ReportSuccess(0);
        c.ReportSuccess(0);
        c.ReportSuccess(0);

        Assert.Equal(0, c.NextAvailable(2, new HashSet<int> { 2 }));
    }

    [Fact]
    public void A_half_open_engine_is_taken_by_one_call_as_a_trial_when_there_are_no_probes()
    {
        var (chain, health) = Chain("openai-realtime,local");
        IEngineChain c = chain;
        c.ReportFailure(0, "socket-lost");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(BreakerState.HalfOpen, c.StateOf(0));

        Assert.Equal(0, c.FirstAvailable());
        Assert.Equal(1, c.FirstAvailable());
        c.ReportSuccess(0);
        Assert.Equal(0, c.FirstAvailable());
        Assert.Equal(1, health.GoodProbesSinceOpen("openai-realtime"));
    }

    [Fact]
    public void Failback_needs_a_higher_tier_engine_closed_after_three_good_probes_and_a_minute_on_the_fallback()
    {
        var probeResults = new Queue<bool>();
        var (chain, health) = Chain("openai-realtime | local", probe: (_, _) => Task.FromResult(!probeResults.TryDequeue(out var good) || good));
        IEngineChain c = chain;
        c.ReportFailure(0, "socket-lost");
        var onFallback = _time.GetUtcNow();
        TimeSpan Dwell() => _time.GetUtcNow() - onFallback;

        Run(TimeSpan.FromSeconds(5 + 5));
        Assert.Equal((BreakerState.HalfOpen, 2), (c.StateOf(0), health.GoodProbesSinceOpen("openai-realtime")));
        Assert.Null(c.FailbackTarget(1, TimeSpan.FromMinutes(10), NoneLeft));
        Run(TimeSpan.FromSeconds(5));
        Assert.Equal(BreakerState.Closed, c.StateOf(0));

        Assert.Null(c.FailbackTarget(1, Dwell(), NoneLeft));
        Run(TimeSpan.FromSeconds(45) - TimeSpan.FromMilliseconds(100));
        Assert.Null(c.FailbackTarget(1, Dwell(), NoneLeft));
        Run(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromSeconds(60), Dwell());
        Assert.Equal(0, c.FailbackTarget(1, Dwell(), NoneLeft));
        Assert.Null(c.FailbackTarget(1, Dwell(), new HashSet<int> { 0 }));

        // Nothing is higher than the best tier; the same tier is not a failback.
        Assert.Null(c.FailbackTarget(0, Dwell(), NoneLeft));
    }

    [Fact]
    public void Failback_can_be_turned_off_and_a_chain_without_health_never_fails_back()
    {
        var (chain, _) = Chain("openai-realtime | local", options: new ProviderHealthOptions { Failback = FailbackMode.Never });
        Assert.Null(((IEngineChain)chain).FailbackTarget(1, TimeSpan.FromHours(1), NoneLeft));

        IEngineChain bare = Factory(ChainSpec.Parse("openai-realtime | local"));
        Assert.Null(bare.FailbackTarget(1, TimeSpan.FromHours(1), NoneLeft));
        Assert.Equal(0, bare.FirstAvailable());
        bare.ReportFailure(0, "socket-lost");
        Assert.Equal(0, bare.FirstAvailable());
    }

    [Fact]
    public void A_single_engine_chain_keeps_working_with_the_defaults()
    {
        IEngineChain single = new SingleEngineChain(() => throw new InvalidOperationException("not created here"));

        Assert.Equal(0, single.FirstAvailable());
        Assert.Null(single.NextAvailable(0, new HashSet<int> { 0 }));
        Assert.Null(single.FailbackTarget(0, TimeSpan.FromHours(1), NoneLeft));
        Assert.Equal((0, BreakerState.Closed, true), (single.TierOf(0), single.StateOf(0), single.IsAvailable(0)));
        single.ReportFailure(0, "socket-lost", TimeSpan.FromSeconds(1));
        single.ReportSuccess(0);
    }

    [Fact]
    public void Breaker_changes_are_audited_as_process_events()
    {
        var audit = new RecordingAudit();
        var chain = Factory(ChainSpec.Parse("openai-realtime,local"));
        var health = chain.AttachHealth(new ProviderHealthOptions(), audit);

        chain.ReportFailure(0, "rate-limited", TimeSpan.FromSeconds(20));

        var e = Assert.Single(audit.Events);
        Assert.Equal(("breaker", "-", 0L, "closed", "open"), (e.Kind, e.CallId, e.CallMs, e.From, e.To));
        Assert.Equal(Start, e.At);
        Assert.StartsWith("openai-realtime: rate-limited (Retry-After 20 s)", e.Reason);
        Assert.Contains("\"engine\":\"openai-realtime\"", e.DetailsJson);
        Assert.Contains("\"openUntil\":\"2026-11-25T15:00:20+00:00\"", e.DetailsJson);
        Assert.Throws<InvalidOperationException>(() => chain.AttachHealth(new ProviderHealthOptions(), audit));
        Assert.Same(health, chain.Health);
    }

    [Fact]
    public void The_probe_connects_the_engine_and_waits_for_it_to_be_ready()
    {
        var time = new FakeTimeProvider(Start);
        var loggers = new TestLoggerFactory(output);
        var (good, refused) = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(
                ChainSpec.Parse("openai-realtime | azure-realtime"), new SimulatorOptions(), new CallSessionOptions(), time, loggers, [FaultSpec.Parse("openai-realtime:refuse@connect")]);
            var engines = env.Bridge.Engines;
            var ready = await engines.ProbeAsync("azure-realtime", CancellationToken.None);
            bool down;
            try
            {
                down = !await engines.ProbeAsync("openai-realtime", CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                down = true;
            }

            return (ready, down);
        });

        Assert.True(good);
        Assert.True(refused);
    }

    private static SynchronizationContext? Swap(SynchronizationContext? context)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        return previous;
    }

    private (EngineFactory Chain, ProviderHealth Health) Chain(
        string text, string? cost1 = null, string? cost2 = null, Func<string, CancellationToken, Task<bool>>? probe = null, ProviderHealthOptions? options = null)
    {
        var spec = ChainSpec.Parse(text).WithCosts(ChainSpec.ParseCosts(new[] { cost1, cost2 }.OfType<string>()));
        var chain = Factory(spec);
        var health = new ProviderHealth(options ?? new ProviderHealthOptions(), _time, probe);
        chain.UseHealth(health);
        return (chain, health);
    }

    private EngineFactory Factory(ChainSpec spec) =>
        new(spec, new ProviderEndpoints { Realtime = new Dictionary<string, VoiceBridge.Engines.Realtime.RealtimeEngineOptions>() }, new InMemoryNetwork(), _time, NullLoggerFactory.Instance);

    private void Run(TimeSpan span)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var left = span; left > TimeSpan.Zero; left -= step)
        {
            _time.Advance(left < step ? left : step);
        }
    }
}
