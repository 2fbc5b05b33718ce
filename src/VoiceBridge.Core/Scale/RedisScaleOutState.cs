using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace VoiceBridge.Scale;

/// <summary>
/// The deployment's shared state in Redis (docs/scale-out.md, "Keys and TTLs"):
/// <list type="bullet">
/// <item><c>voicebridge:breaker:{engine}</c>: the open breaker as JSON, expiring when it closes;
/// each opening is also published on the <c>voicebridge:breakers</c> channel.</item>
/// <item><c>voicebridge:call:{CallSid}:checkpoint</c>: the sealed checkpoint, with its TTL.</item>
/// <item><c>voicebridge:call:{CallSid}:last-frame</c>: Unix milliseconds of the last caller frame.</item>
/// </list>
/// One multiplexed connection per node; StackExchange.Redis reconnects by itself after a failure.
/// A published message from another build or a stranger that does not parse is logged and ignored.
/// </summary>
public sealed partial class RedisScaleOutState : IScaleOutState
{
    /// <summary>The largest breaker message read from the channel.</summary>
    public const int MaxBreakerMessageBytes = 4096;

    private const string Prefix = "voicebridge:";
    private static readonly RedisChannel BreakerChannel = RedisChannel.Literal(Prefix + "breakers");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly string _node;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private RedisScaleOutState(ConnectionMultiplexer redis, string endpoint, string node, TimeProvider time, ILogger logger)
    {
        _redis = redis;
        _db = redis.GetDatabase();
        Location = $"redis {endpoint}";
        _node = node;
        _time = time;
        _logger = logger;
    }

    public event Action<SharedBreaker>? BreakerPublished;

    public string Location { get; }

    /// <summary>
    /// Connects to <paramref name="endpoint"/> (<c>HOST:PORT</c>, or a StackExchange.Redis
    /// configuration string) and subscribes to the breaker channel.
    /// </summary>
    /// <exception cref="RedisConnectionException">The server cannot be reached at start-up.</exception>
    public static async Task<RedisScaleOutState> ConnectAsync(string endpoint, string node, TimeProvider time, ILogger<RedisScaleOutState> logger)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 3000;
        options.ClientName = "voicebridge-" + node;
        var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var state = new RedisScaleOutState(redis, endpoint, node, time, logger);
        await redis.GetSubscriber().SubscribeAsync(BreakerChannel, (_, message) => state.OnBreakerMessage(message));
        return state;
    }

    public async Task PublishBreakerAsync(SharedBreaker breaker, CancellationToken cancellationToken)
    {
        var ttl = breaker.OpenUntil - _time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        var json = JsonSerializer.Serialize(breaker, Json);
        await _db.StringSetAsync(BreakerKey(breaker.Engine), json, ttl).WaitAsync(cancellationToken);
        await _redis.GetSubscriber().PublishAsync(BreakerChannel, json).WaitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<SharedBreaker>> OpenBreakersAsync(IEnumerable<string> engines, CancellationToken cancellationToken)
    {
        var open = new List<SharedBreaker>();
        foreach (var engine in engines.Distinct(StringComparer.Ordinal))
        {
            var value = await _db.StringGetAsync(BreakerKey(engine)).WaitAsync(cancellationToken);
            if (value.HasValue && Parse(value!) is { } breaker)
            {
                open.Add(breaker);
            }
        }

        return open;
    }

    public Task SaveCheckpointAsync(string callSid, byte[] sealedCheckpoint, TimeSpan ttl, CancellationToken cancellationToken) =>
        _db.StringSetAsync(CallKey(callSid, "checkpoint"), sealedCheckpoint, ttl).WaitAsync(cancellationToken);

    public async Task<byte[]?> LoadCheckpointAsync(string callSid, CancellationToken cancellationToken)
    {
        var value = await _db.StringGetAsync(CallKey(callSid, "checkpoint")).WaitAsync(cancellationToken);
        return value.HasValue ? (byte[]?)value : null;
    }

    public Task SaveLastFrameAsync(string callSid, DateTimeOffset at, TimeSpan ttl, CancellationToken cancellationToken) =>
        _db.StringSetAsync(CallKey(callSid, "last-frame"), at.ToUnixTimeMilliseconds(), ttl).WaitAsync(cancellationToken);

    public async Task<DateTimeOffset?> LoadLastFrameAsync(string callSid, CancellationToken cancellationToken)
    {
        var value = await _db.StringGetAsync(CallKey(callSid, "last-frame")).WaitAsync(cancellationToken);
        return value.HasValue && long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is > 0 and < 253402300800000
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.GetSubscriber().UnsubscribeAllAsync();
        await _redis.CloseAsync();
        await _redis.DisposeAsync();
    }

    private static RedisKey BreakerKey(string engine) => Prefix + "breaker:" + engine;

    private static RedisKey CallKey(string callSid, string what) => Prefix + "call:" + callSid + ":" + what;

    private void OnBreakerMessage(RedisValue message)
    {
        if (!message.HasValue || Parse(message!) is not { } breaker || breaker.Node == _node)
        {
            return;
        }

        try
        {
            BreakerPublished?.Invoke(breaker);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.HandlerFailed(_logger, breaker.Engine, e);
        }
    }

    private SharedBreaker? Parse(string json)
    {
        try
        {
            if (json.Length <= MaxBreakerMessageBytes
                && JsonSerializer.Deserialize<SharedBreaker>(json, Json) is { Engine: { Length: > 0 }, Reason: not null, Node: not null } breaker)
            {
                return breaker;
            }
        }
        catch (JsonException)
        {
        }

        Log.BadBreaker(_logger, json.Length > 200 ? json[..200] : json);
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "redis: a breaker record that is not one was ignored: {Json}")]
        public static partial void BadBreaker(ILogger logger, string json);

        [LoggerMessage(2, LogLevel.Error, "redis: applying another node's breaker on {Engine} failed")]
        public static partial void HandlerFailed(ILogger logger, string engine, Exception error);
    }
}
