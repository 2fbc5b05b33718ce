using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Engines.Health;
using VoiceBridge.Scale;

namespace VoiceBridge.Tests.Scale;

/// <summary>Two nodes' breakers through one shared state (in memory, as Redis would carry it), on one fake clock.</summary>
public sealed class SharedBreakersTests
{
    private const string Primary = "openai-realtime";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_breaker_opening_on_one_node_opens_on_the_other_until_the_same_time_and_is_not_echoed_back()
    {
        await using var stateA = new InMemoryScaleOutState(_time);
        await using var stateB = stateA.JoinSameStore();
        await using var healthA = new ProviderHealth(new ProviderHealthOptions(), _time);
        await using var healthB = new ProviderHealth(new ProviderHealthOptions(), _time);
        using var a = await SharedBreakers.AttachAsync(healthA, stateA, "node-a", [Primary], NullLogger<SharedBreakers>.Instance, CancellationToken.None);
        using var b = await SharedBreakers.AttachAsync(healthB, stateB, "node-b", [Primary], NullLogger<SharedBreakers>.Instance, CancellationToken.None);
        var changesOnA = new List<BreakerChange>();
        healthA.BreakerChanged += changesOnA.Add;

        healthA.ReportFailure(Primary, "socket-lost", TimeSpan.FromSeconds(30));
        await a.PublishedAsync();

        Assert.Equal(BreakerState.Open, healthB.State(Primary));
        Assert.False(healthB.IsAvailable(Primary));
        Assert.Equal(healthA.OpenUntil(Primary), healthB.OpenUntil(Primary));
        Assert.Equal((0L, 1L), (a.Applied, b.Applied));
        Assert.Single(changesOnA);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(BreakerState.HalfOpen, healthB.State(Primary));
    }

    [Fact]
    public async Task A_node_that_starts_while_a_breaker_is_open_starts_with_it_open_and_an_expired_one_is_ignored()
    {
        await using var stateA = new InMemoryScaleOutState(_time);
        await using var healthA = new ProviderHealth(new ProviderHealthOptions(), _time);
        using var a = await SharedBreakers.AttachAsync(healthA, stateA, "node-a", [Primary, "local"], NullLogger<SharedBreakers>.Instance, CancellationToken.None);
        healthA.ReportFailure(Primary, "cannot-connect", TimeSpan.FromSeconds(20));
        healthA.ReportFailure("local", "cannot-connect", TimeSpan.FromSeconds(2));
        await a.PublishedAsync();
        _time.Advance(TimeSpan.FromSeconds(5));

        await using var stateB = stateA.JoinSameStore();
        await using var healthB = new ProviderHealth(new ProviderHealthOptions(), _time);
        using var b = await SharedBreakers.AttachAsync(healthB, stateB, "node-b", [Primary, "local"], NullLogger<SharedBreakers>.Instance, CancellationToken.None);

        Assert.Equal(BreakerState.Open, healthB.State(Primary));
        Assert.Equal(healthA.OpenUntil(Primary), healthB.OpenUntil(Primary));
        Assert.Equal(BreakerState.Closed, healthB.State("local"));
    }

    [Fact]
    public async Task Only_openings_travel_each_node_closes_its_own_breaker()
    {
        await using var stateA = new InMemoryScaleOutState(_time);
        await using var stateB = stateA.JoinSameStore();
        await using var healthA = new ProviderHealth(new ProviderHealthOptions { GoodProbesToClose = 1 }, _time);
        await using var healthB = new ProviderHealth(new ProviderHealthOptions { GoodProbesToClose = 1 }, _time);
        using var a = await SharedBreakers.AttachAsync(healthA, stateA, "node-a", [Primary], NullLogger<SharedBreakers>.Instance, CancellationToken.None);
        using var b = await SharedBreakers.AttachAsync(healthB, stateB, "node-b", [Primary], NullLogger<SharedBreakers>.Instance, CancellationToken.None);
        healthA.ReportFailure(Primary, "socket-lost", TimeSpan.FromSeconds(5));
        await a.PublishedAsync();
        _time.Advance(TimeSpan.FromSeconds(5));

        healthA.ReportProbe(Primary, good: true);

        Assert.Equal(BreakerState.Closed, healthA.State(Primary));
        Assert.Equal(BreakerState.HalfOpen, healthB.State(Primary));
    }
}
