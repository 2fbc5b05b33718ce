using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using VoiceBridge.Audit;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Hosting;
using VoiceBridge.Scale;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Scale;

/// <summary>
/// <see cref="RedisScaleOutState"/> against a real, private <c>redis-server</c>: two nodes' breakers
/// in one process (each node's engine chain and breakers, as serve composes them, with its own
/// connection), and the checkpoint keys with their TTLs.
/// </summary>
[Trait("Category", "Interop")]
public sealed class RedisScaleOutStateTests : IAsyncLifetime
{
    private const string Primary = "openai-realtime";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private RedisServer? _redis;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis!.DisposeAsync();

    [Fact]
    public async Task A_breaker_opening_on_node_a_makes_node_b_start_new_calls_on_the_fallback()
    {
        var (enginesA, enginesB) = (Engines(), Engines());
        await using var healthA = enginesA.AttachHealth(new ProviderHealthOptions(), NullAuditLog.Instance);
        await using var healthB = enginesB.AttachHealth(new ProviderHealthOptions(), NullAuditLog.Instance);
        await using var stateA = await ConnectAsync("node-a");
        await using var stateB = await ConnectAsync("node-b");
        using var a = await SharedBreakers.AttachAsync(healthA, stateA, "node-a", [Primary, "local"], NullLogger<SharedBreakers>.Instance, CancellationToken.None);
        using var b = await SharedBreakers.AttachAsync(healthB, stateB, "node-b", [Primary, "local"], NullLogger<SharedBreakers>.Instance, CancellationToken.None);
        Assert.Equal(Primary, enginesB.NameAt(enginesB.ForCall("CA1").FirstAvailable()!.Value));

        healthA.ReportFailure(Primary, "socket-lost", TimeSpan.FromSeconds(60));
        await a.PublishedAsync();

        Assert.True(await TimeProvider.System.UntilAsync(() => healthB.State(Primary) == BreakerState.Open, TimeSpan.FromMilliseconds(20), Within), "node B's breaker opened");
        Assert.Equal("local", enginesB.NameAt(enginesB.ForCall("CA2").FirstAvailable()!.Value));
        Assert.Equal(healthA.OpenUntil(Primary)!.Value.ToUnixTimeMilliseconds(), healthB.OpenUntil(Primary)!.Value.ToUnixTimeMilliseconds());

        // A third node that starts now reads the open breaker; node A heard no echo of its own.
        await using var stateC = await ConnectAsync("node-c");
        await using var healthC = new ProviderHealth(new ProviderHealthOptions(), TimeProvider.System);
        using var c = await SharedBreakers.AttachAsync(healthC, stateC, "node-c", [Primary, "local"], NullLogger<SharedBreakers>.Instance, CancellationToken.None);
        Assert.Equal((BreakerState.Open, BreakerState.Closed), (healthC.State(Primary), healthC.State("local")));
        Assert.Equal(0, a.Applied);
    }

    [Fact]
    public async Task A_stranger_s_message_on_the_breaker_channel_is_ignored()
    {
        await using var state = await ConnectAsync("node-a");
        var heard = new List<SharedBreaker>();
        state.BreakerPublished += heard.Add;
        await using var other = await ConnectAsync("node-b");
        using var raw = await ConnectionMultiplexer.ConnectAsync(_redis!.Endpoint);

        await raw.GetSubscriber().PublishAsync(RedisChannel.Literal("voicebridge:breakers"), "{not json");
        await raw.GetSubscriber().PublishAsync(RedisChannel.Literal("voicebridge:breakers"), """{"engine":"","openUntil":"2030-01-01T00:00:00Z","reason":"x","node":"n"}""");
        await other.PublishBreakerAsync(new SharedBreaker(Primary, DateTimeOffset.UtcNow.AddSeconds(30), "socket-lost", "node-b"), CancellationToken.None);

        Assert.True(await TimeProvider.System.UntilAsync(() => heard.Count > 0, TimeSpan.FromMilliseconds(20), Within));
        Assert.Equal(Primary, Assert.Single(heard).Engine);
    }

    [Fact]
    public async Task Checkpoints_and_last_frame_times_are_kept_with_their_ttl()
    {
        await using var state = await ConnectAsync("node-a");
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123);

        await state.SaveCheckpointAsync("CA1", [1, 2, 3], TimeSpan.FromMinutes(10), CancellationToken.None);
        await state.SaveLastFrameAsync("CA1", at, TimeSpan.FromMinutes(10), CancellationToken.None);

        Assert.Equal([1, 2, 3], await state.LoadCheckpointAsync("CA1", CancellationToken.None));
        Assert.Equal(at, await state.LoadLastFrameAsync("CA1", CancellationToken.None));
        Assert.Null(await state.LoadCheckpointAsync("CA2", CancellationToken.None));
        using var raw = await ConnectionMultiplexer.ConnectAsync(_redis!.Endpoint);
        var ttl = await raw.GetDatabase().KeyTimeToLiveAsync("voicebridge:call:CA1:checkpoint");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    /// <summary>A node's engine chain, as serve builds it: the primary (nowhere to connect: nothing here starts a call) and the local cascade.</summary>
    private static EngineFactory Engines() => new(
        ChainSpec.Parse($"{Primary},local"),
        new ProviderEndpoints { Realtime = new Dictionary<string, RealtimeEngineOptions> { [Primary] = new() { ApiKey = "sk-test", Endpoint = new Uri("ws://127.0.0.1:9/v1/realtime") } } },
        new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero),
        TimeProvider.System,
        NullLoggerFactory.Instance);

    private Task<RedisScaleOutState> ConnectAsync(string node) =>
        RedisScaleOutState.ConnectAsync(_redis!.Endpoint, node, TimeProvider.System, NullLogger<RedisScaleOutState>.Instance);
}
