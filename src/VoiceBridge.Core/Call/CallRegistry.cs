using System.Collections.Concurrent;
using VoiceBridge.Operations;

namespace VoiceBridge.Call;

/// <summary>
/// The calls a node is running and the summaries of those that ended, by call id (Twilio CallSid,
/// SIP Call-ID). Replay and drills find calls here. Every leg admits a new call only while
/// <see cref="Accepting"/> (a draining node refuses them, docs/operations.md), and the live-call
/// metrics are counted here, where every leg's calls begin and end.
/// </summary>
public sealed class CallRegistry
{
    private readonly ConcurrentDictionary<string, CallSession> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CallSummary>> _ended = new(StringComparer.Ordinal);
    private volatile bool _draining;

    public IReadOnlyCollection<CallSession> Live => [.. _live.Values];

    /// <summary>The live call <paramref name="callId"/>, or null when it has not started or has ended.</summary>
    public CallSession? Find(string callId) => _live.GetValueOrDefault(callId);

    /// <summary>False once the node drains: legs refuse new calls (HTTP 503, SIP 503 with Retry-After); calls in progress go on.</summary>
    public bool Accepting => !_draining;

    /// <summary>Stops admitting new calls, for good (the node is shutting down).</summary>
    public void StopAccepting() => _draining = true;

    /// <summary>
    /// A call's session runs. A second session for a live call id is a resumed stream taking the call
    /// over (a Twilio stream lost without its stop comes back on a new socket, docs/scale-out.md): it
    /// replaces the first, and the call is counted once. A call that had ended and comes back is live
    /// again: <see cref="WhenEnded"/> waits for this run.
    /// </summary>
    public void Started(CallSession session)
    {
        if (_live.TryAdd(session.CallId, session))
        {
            BridgeMetrics.CallStarted(session.Leg);
        }
        else
        {
            _live[session.CallId] = session;
        }

        if (_ended.TryGetValue(session.CallId, out var previous) && previous.Task.IsCompleted)
        {
            _ended.TryUpdate(session.CallId, new TaskCompletionSource<CallSummary>(TaskCreationOptions.RunContinuationsAsynchronously), previous);
        }
    }

    private readonly TaskCompletionSource<CallSummary> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the node's first call has ended (a peer's call, whose id the peer chose).</summary>
    public Task<CallSummary> WhenFirstEnded => _first.Task;

    /// <summary>
    /// <paramref name="session"/> has ended with <paramref name="summary"/>. When a resumed stream's
    /// session has taken the call over, the call goes on there: it stays live, and nothing completes.
    /// </summary>
    public void Ended(CallSession session, CallSummary summary)
    {
        _first.TrySetResult(summary);
        if (!_live.TryRemove(KeyValuePair.Create(summary.CallId, session)))
        {
            return;
        }

        BridgeMetrics.CallEnded(summary);
        Completion(summary.CallId).TrySetResult(summary);
    }

    /// <summary>Completes when the call with <paramref name="callId"/> has ended.</summary>
    public Task<CallSummary> WhenEnded(string callId) => Completion(callId).Task;

    private TaskCompletionSource<CallSummary> Completion(string callId) =>
        _ended.GetOrAdd(callId, _ => new TaskCompletionSource<CallSummary>(TaskCreationOptions.RunContinuationsAsynchronously));
}
