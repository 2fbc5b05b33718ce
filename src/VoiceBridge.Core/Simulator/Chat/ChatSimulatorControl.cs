using System.Collections.Concurrent;
using System.Text.Json;

namespace VoiceBridge.Simulator.Chat;

/// <summary>A fault the simulated chat providers can be told to commit.</summary>
public enum ChatFaultKind
{
    /// <summary>Answer with an HTTP error (e.g. 500, or 429 with <c>Retry-After</c>) instead of a stream.</summary>
    HttpError,

    /// <summary>Send a line the SDK cannot parse, then end the stream.</summary>
    MalformedLine,

    /// <summary>Abort the connection mid-stream.</summary>
    Disconnect,

    /// <summary>End the stream cleanly before its final event.</summary>
    Truncate,

    /// <summary>Stop sending (connection open) until the client gives up or the stall limit passes.</summary>
    Stall,
}

/// <summary>
/// One fault for the next request. Stream faults strike after <see cref="AfterFrames"/> SSE events
/// have been sent (at the latest before the last one).
/// </summary>
public sealed record ChatFault(ChatFaultKind Kind)
{
    public int AfterFrames { get; init; }

    public int StatusCode { get; init; } = 500;

    /// <summary>Sent as <c>Retry-After</c> (whole seconds) with an HTTP error.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static ChatFault Http(int statusCode, TimeSpan? retryAfter = null) =>
        new(ChatFaultKind.HttpError) { StatusCode = statusCode, RetryAfter = retryAfter };

    public static ChatFault InStream(ChatFaultKind kind, int afterFrames) => new(kind) { AfterFrames = afterFrames };
}

/// <summary>A request the simulator received: which API and the JSON body as sent.</summary>
public sealed record ChatSimulatorRequest(string Api, JsonElement Body);

/// <summary>
/// The harness's handle on the simulated chat providers: a pending-fault slot that the next
/// request (of either API) takes, and every request received, to check what the SDKs sent.
/// </summary>
public sealed class ChatSimulatorControl
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<ChatSimulatorRequest> _requests = new();
    private (ChatFault Fault, TaskCompletionSource Struck)? _pending;

    /// <summary>Every request received, in order of arrival.</summary>
    public IReadOnlyCollection<ChatSimulatorRequest> Requests => _requests;

    /// <summary>
    /// Arms <paramref name="fault"/> for the next request; the task completes when it strikes
    /// (for a stall: when the stall begins). One fault at a time.
    /// </summary>
    public Task InjectFault(ChatFault fault)
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                throw new InvalidOperationException("a fault is already pending");
            }

            var struck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending = (fault, struck);
            return struck.Task;
        }
    }

    internal (ChatFault Fault, TaskCompletionSource Struck)? TakeFault()
    {
        lock (_gate)
        {
            var pending = _pending;
            _pending = null;
            return pending;
        }
    }

    internal void Record(string api, JsonElement body) => _requests.Enqueue(new ChatSimulatorRequest(api, body));
}
