using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;

namespace VoiceBridge.Operations;

/// <summary>
/// A graceful stop (docs/operations.md, "Drain"): the node stops taking calls (every leg asks
/// <see cref="CallRegistry.Accepting"/>), lets the calls in progress finish until
/// <see cref="DrainOptions.Timeout"/>, then ends those still running as a hang-up would (the
/// caller hears the end of what the agent is saying, the hang-up is audited) and waits
/// <see cref="DrainOptions.HangUpGrace"/> for them to end. Time comes from the injected clock.
/// </summary>
public sealed partial class CallDrain
{
    /// <summary>The reason audited on a call the drain ends.</summary>
    public const string HangUpReason = "the node is shutting down (drain timeout)";

    private readonly CallRegistry _registry;
    private readonly DrainOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CallSession, CancellationToken, Task> _endCall;

    /// <param name="endCall">How a call still running at the timeout is ended [a hang-up through the call's own call control].</param>
    public CallDrain(CallRegistry registry, DrainOptions options, TimeProvider time, ILogger<CallDrain> logger, Func<CallSession, CancellationToken, Task>? endCall = null)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"drain options: {string.Join("; ", problems)}", nameof(options));
        }

        _registry = registry;
        _options = options;
        _time = time;
        _logger = logger;
        _endCall = endCall ?? HangUpAsync;
    }

    /// <summary>True once <see cref="DrainAsync"/> has begun: no new call is taken.</summary>
    public bool Draining => !_registry.Accepting;

    /// <summary>Stops taking calls and waits for the calls in progress as described above.</summary>
    public async Task<DrainResult> DrainAsync(CancellationToken cancellationToken)
    {
        _registry.StopAccepting();
        var start = _time.GetTimestamp();
        var calls = _registry.Live.Count;
        Log.Draining(_logger, calls, (long)_options.Timeout.TotalSeconds);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await WaitForLiveCallsAsync(_options.Timeout, seen, cancellationToken);
        var left = _registry.Live;
        foreach (var call in left)
        {
            Log.EndingCall(_logger, call.CallId, (long)_time.GetElapsedTime(start).TotalMilliseconds);
            await _endCall(call, cancellationToken);
        }

        if (left.Count > 0)
        {
            await WaitForLiveCallsAsync(_options.HangUpGrace, seen, cancellationToken);
        }

        var result = new DrainResult(seen.Count, left.Count, _registry.Live.Count, (long)_time.GetElapsedTime(start).TotalMilliseconds);
        Log.Drained(_logger, result.Calls, result.EndedByDrain, result.StillLive, result.ElapsedMs);
        return result;
    }

    /// <summary>Waits until no call is live or <paramref name="limit"/> passes; calls that start meanwhile (admitted just before the drain) are waited for too.</summary>
    private async Task WaitForLiveCallsAsync(TimeSpan limit, HashSet<string> seen, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        while (_registry.Live is { Count: > 0 } live)
        {
            var remaining = limit - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            seen.UnionWith(live.Select(c => c.CallId));
            try
            {
                await Task.WhenAll(live.Select(c => _registry.WhenEnded(c.CallId))).WaitAsync(remaining, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return;
            }
        }
    }

    private static async Task HangUpAsync(CallSession call, CancellationToken cancellationToken) =>
        await ((ICallControl)call).RequestHangUpAsync(HangUpReason, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "draining: no new calls; waiting up to {TimeoutSeconds} s for {Calls} call(s) in progress")]
        public static partial void Draining(ILogger logger, int calls, long timeoutSeconds);

        [LoggerMessage(2, LogLevel.Warning, "draining: call {CallId} still running after {ElapsedMs} ms: hanging up")]
        public static partial void EndingCall(ILogger logger, string callId, long elapsedMs);

        [LoggerMessage(3, LogLevel.Information, "drained: {Calls} call(s) waited for, {EndedByDrain} hung up at the timeout, {StillLive} still live, in {ElapsedMs} ms")]
        public static partial void Drained(ILogger logger, int calls, int endedByDrain, int stillLive, long elapsedMs);
    }
}

/// <summary>The drain's limits.</summary>
public sealed class DrainOptions
{
    /// <summary>How long calls in progress may go on once the node drains [30 s] (<c>serve --drain-timeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the calls hung up at the timeout get to end [10 s]: the agent's sentence in progress, then the hang-up.</summary>
    public TimeSpan HangUpGrace { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        if (Timeout < TimeSpan.Zero)
        {
            yield return $"Timeout {Timeout} is negative";
        }

        if (HangUpGrace < TimeSpan.Zero)
        {
            yield return $"HangUpGrace {HangUpGrace} is negative";
        }
    }
}

/// <summary>What a drain did: calls it waited for, how many it hung up, how many were still live at its end.</summary>
public sealed record DrainResult(int Calls, int EndedByDrain, int StillLive, long ElapsedMs);
