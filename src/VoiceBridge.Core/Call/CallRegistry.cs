using System.Collections.Concurrent;

namespace VoiceBridge.Call;

/// <summary>
/// The calls a node is running and the summaries of those that ended, by call id (Twilio CallSid,
/// SIP Call-ID). Replay and drills find calls here.
/// </summary>
public sealed class CallRegistry
{
    private readonly ConcurrentDictionary<string, CallSession> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CallSummary>> _ended = new(StringComparer.Ordinal);

    public IReadOnlyCollection<CallSession> Live => [.. _live.Values];

    /// <summary>The live call <paramref name="callId"/>, or null when it has not started or has ended.</summary>
    public CallSession? Find(string callId) => _live.GetValueOrDefault(callId);

    public void Started(CallSession session) => _live[session.CallId] = session;

    private readonly TaskCompletionSource<CallSummary> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the node's first call has ended (a peer's call, whose id the peer chose).</summary>
    public Task<CallSummary> WhenFirstEnded => _first.Task;

    public void Ended(CallSummary summary)
    {
        _first.TrySetResult(summary);
        _live.TryRemove(summary.CallId, out _);
        Completion(summary.CallId).TrySetResult(summary);
    }

    /// <summary>Completes when the call with <paramref name="callId"/> has ended.</summary>
    public Task<CallSummary> WhenEnded(string callId) => Completion(callId).Task;

    private TaskCompletionSource<CallSummary> Completion(string callId) =>
        _ended.GetOrAdd(callId, _ => new TaskCompletionSource<CallSummary>(TaskCreationOptions.RunContinuationsAsynchronously));
}
