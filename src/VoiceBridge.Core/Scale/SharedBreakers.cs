using Microsoft.Extensions.Logging;
using VoiceBridge.Engines.Health;

namespace VoiceBridge.Scale;

/// <summary>
/// Makes a node's breakers the deployment's (docs/scale-out.md, "Breakers"): a breaker that opens
/// here is published with its end time and reason, and a breaker another node publishes opens
/// here until the same time, so new calls on every node start on the fallback. Only openings
/// travel: each node closes its breakers through its own probes and calls, and a breaker opened
/// from another node's word is not published again (no echo between nodes). A start-up reads the
/// breakers other nodes hold open. Drills never report to the breakers, so they stay local.
/// </summary>
public sealed partial class SharedBreakers : IDisposable
{
    [ThreadStatic]
    private static bool t_applyingRemote;

    private readonly ProviderHealth _health;
    private readonly IScaleOutState _state;
    private readonly string _node;
    private readonly ILogger _logger;
    private readonly List<Task> _publishing = [];

    private SharedBreakers(ProviderHealth health, IScaleOutState state, string node, ILogger logger)
    {
        _health = health;
        _state = state;
        _node = node;
        _logger = logger;
        _health.BreakerChanged += OnLocalChange;
        _state.BreakerPublished += OnRemote;
    }

    /// <summary>Shares <paramref name="health"/>'s breakers through <paramref name="state"/>, after applying those already open for <paramref name="engines"/>.</summary>
    public static async Task<SharedBreakers> AttachAsync(ProviderHealth health, IScaleOutState state, string node, IEnumerable<string> engines, ILogger<SharedBreakers> logger, CancellationToken cancellationToken)
    {
        var shared = new SharedBreakers(health, state, node, logger);
        foreach (var open in await state.OpenBreakersAsync(engines, cancellationToken))
        {
            shared.OnRemote(open);
        }

        return shared;
    }

    /// <summary>Breakers opened here from another node's word.</summary>
    public long Applied { get; private set; }

    /// <summary>Waits for the publications in flight (tests, and a clean stop).</summary>
    public Task PublishedAsync()
    {
        lock (_publishing)
        {
            return Task.WhenAll(_publishing);
        }
    }

    public void Dispose()
    {
        _health.BreakerChanged -= OnLocalChange;
        _state.BreakerPublished -= OnRemote;
    }

    private void OnLocalChange(BreakerChange change)
    {
        if (t_applyingRemote || change.To != BreakerState.Open || change.OpenUntil is not { } until)
        {
            return;
        }

        var publish = PublishAsync(new SharedBreaker(change.Engine, until, change.Reason, _node));
        lock (_publishing)
        {
            _publishing.RemoveAll(t => t.IsCompleted);
            _publishing.Add(publish);
        }
    }

    private async Task PublishAsync(SharedBreaker breaker)
    {
        try
        {
            await _state.PublishBreakerAsync(breaker, CancellationToken.None);
            Log.Published(_logger, breaker.Engine, breaker.OpenUntil);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.PublishFailed(_logger, breaker.Engine, e.Message);
        }
    }

    private void OnRemote(SharedBreaker breaker)
    {
        var left = breaker.OpenUntil - _health.Time.GetUtcNow();
        if (breaker.Node == _node || left <= TimeSpan.Zero)
        {
            return;
        }

        t_applyingRemote = true;
        try
        {
            _health.ReportFailure(breaker.Engine, $"opened on node {breaker.Node}: {breaker.Reason}", left);
            Applied++;
        }
        finally
        {
            t_applyingRemote = false;
        }

        Log.Applied(_logger, breaker.Engine, breaker.Node, breaker.OpenUntil);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "breaker {Engine}: open until {Until:o}, told to the other nodes")]
        public static partial void Published(ILogger logger, string engine, DateTimeOffset until);

        [LoggerMessage(2, LogLevel.Warning, "breaker {Engine}: could not tell the other nodes: {Error}")]
        public static partial void PublishFailed(ILogger logger, string engine, string error);

        [LoggerMessage(3, LogLevel.Information, "breaker {Engine}: opened by node {Node} until {Until:o}")]
        public static partial void Applied(ILogger logger, string engine, string node, DateTimeOffset until);
    }
}
