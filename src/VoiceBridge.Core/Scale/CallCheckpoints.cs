using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Legs.Twilio;

namespace VoiceBridge.Scale;

/// <summary>
/// Keeps each Twilio call's conversation where another node can take it up (docs/scale-out.md).
/// At every turn boundary the call loop hands over a checkpoint and goes on; one writer task seals
/// (<see cref="CheckpointCipher"/>) and stores the latest one per call, so no store round trip is
/// ever on the audio path, and a slow store costs checkpoints, never calls. A second task records
/// each live call's last caller frame time every <see cref="CheckpointOptions.FrameMarkInterval"/>.
/// A resumed stream restores its conversation from the checkpoint and audits a <c>resume</c> event
/// with the gap between the dead stream's last caller frame and the new stream's first.
/// </summary>
public sealed partial class CallCheckpoints : ITwilioCallContinuity, IAsyncDisposable
{
    private readonly IScaleOutState _state;
    private readonly CheckpointCipher _cipher;
    private readonly CheckpointOptions _options;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, LiveCall> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConversationCheckpoint> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _ended = new(StringComparer.Ordinal);

    // Calls this node ended whose "ended" record the store did not take (it was down), with when:
    // the resume request that follows a hang-up must still hang up when it comes back here.
    private readonly ConcurrentDictionary<string, long> _endedUnstored = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private readonly Task _marks;
    private long _written;
    private long _failed;

    /// <param name="node">This node's name, written into its checkpoints and the <c>resume</c> events.</param>
    public CallCheckpoints(IScaleOutState state, CheckpointCipher cipher, CheckpointOptions options, string node, IAuditLog audit, TimeProvider time, ILogger<CallCheckpoints> logger)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        _state = state;
        _cipher = cipher;
        _options = options;
        Node = node;
        _audit = audit;
        _time = time;
        _logger = logger;
        _writer = WriteLoopAsync(_stop.Token);
        _marks = MarkLoopAsync(_stop.Token);
    }

    public string Node { get; }

    /// <summary>Checkpoints stored.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Checkpoint and frame-mark writes that failed (the store was down or slow); the calls went on.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public async Task<bool> ShouldResumeAsync(string callSid, CancellationToken cancellationToken)
    {
        if (_endedUnstored.ContainsKey(callSid))
        {
            Log.ResumeRefused(_logger, callSid);
            return false;
        }

        var (checkpoint, error) = await LoadAsync(callSid, cancellationToken);
        if (checkpoint is { Ended: true })
        {
            Log.ResumeRefused(_logger, callSid);
            return false;
        }

        // No checkpoint (the stream died before the first turn ended) or an unreadable one: the
        // caller is still there, so a fresh conversation beats hanging up.
        Log.ResumeAccepted(_logger, callSid, checkpoint?.Turns.Count ?? 0, error ?? "");
        return true;
    }

    public async Task OnStreamStartAsync(CallSession session, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var call = new LiveCall(session);
        if (parameters.TryGetValue(TwilioEndpoints.ResumeParameter, out var resume) && int.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
        {
            var (checkpoint, error) = await LoadAsync(session.CallId, cancellationToken);
            var lastFrame = await LastFrameAsync(session.CallId, cancellationToken);
            if (checkpoint is { Ended: false })
            {
                session.Resume(checkpoint);
            }

            call.Resumed = new ResumeFrom(checkpoint is { Ended: false } ? checkpoint : null, lastFrame, error ?? (checkpoint is null ? "no checkpoint" : checkpoint.Ended ? "the call had ended" : null), count);
        }

        _live[session.CallId] = call;
        session.TurnBoundary += Enqueue;
    }

    public void OnFirstFrame(CallSession session)
    {
        if (!_live.TryGetValue(session.CallId, out var call) || call.Resumed is not { } from)
        {
            return;
        }

        call.Resumed = null;
        var firstFrame = _time.GetUtcNow();
        long? gapMs = from.LastFrame is { } last ? (long)(firstFrame - last).TotalMilliseconds : null;
        var restored = from.Checkpoint;
        Log.Resumed(_logger, session.CallId, restored?.Node ?? "?", gapMs ?? -1, restored?.Turns.Count ?? 0, from.Error ?? "");
        _audit.Record(new AuditEvent("resume", session.CallId, firstFrame, session.NowMs, restored?.Node, Node, "stream-lost", JsonSerializer.Serialize(new
        {
            gapMs,
            lastFrameAt = from.LastFrame,
            firstFrameAt = firstFrame,
            gapResolutionMs = (long)_options.FrameMarkInterval.TotalMilliseconds,
            restored = restored is not null,
            turnsRestored = restored?.Turns.Count ?? 0,
            toolCallsRestored = restored?.ToolCalls.Count ?? 0,
            replyOwed = restored?.ReplyOwed ?? false,
            resumes = from.Count,
            error = from.Error,
        })));
    }

    public async Task OnCallEndingAsync(ConversationCheckpoint ended)
    {
        _pending.TryRemove(ended.CallSid, out _);
        _ended[ended.CallSid] = true;
        await WriteAsync(ended with { Node = Node, Ended = true });
    }

    public async Task OnStreamEndAsync(CallSession session, bool callEnded)
    {
        session.TurnBoundary -= Enqueue;
        if (!_live.TryGetValue(session.CallId, out var call) || call.Session != session)
        {
            // A newer stream of the call (it came back to this node before this one's end was
            // noticed) owns its checkpoint now: this stream's last state is older.
            return;
        }

        _live.TryRemove(KeyValuePair.Create(session.CallId, call));
        if (!callEnded)
        {
            await MarkAsync(call);
        }

        _pending.TryRemove(session.CallId, out _);
        if (callEnded)
        {
            _ended[session.CallId] = true;
        }

        await WriteAsync(session.Checkpoint(callEnded) with { Node = Node });
        _ended.TryRemove(session.CallId, out _);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _wake.Writer.TryComplete();
        await _writer;
        await _marks;

        // A node that stops cleanly leaves each call's latest checkpoint behind for the node that takes it up.
        foreach (var callSid in _pending.Keys)
        {
            if (_pending.TryRemove(callSid, out var checkpoint))
            {
                await WriteAsync(checkpoint with { Node = Node });
            }
        }

        _stop.Dispose();
    }

    /// <summary>A turn boundary, on the call loop: the newest checkpoint replaces any not yet written.</summary>
    private void Enqueue(ConversationCheckpoint checkpoint)
    {
        _pending[checkpoint.CallSid] = checkpoint;
        _wake.Writer.TryWrite(true);
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(cancellationToken))
            {
                _wake.Reader.TryRead(out _);
                foreach (var callSid in _pending.Keys)
                {
                    if (_pending.TryRemove(callSid, out var checkpoint))
                    {
                        await WriteAsync(checkpoint with { Node = Node });
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Keeps <paramref name="callSid"/> as ended here for <see cref="CheckpointOptions.EndedTtl"/>, forgetting older ones.</summary>
    private void RememberUnstoredEnd(string callSid)
    {
        var now = _time.GetTimestamp();
        foreach (var (sid, at) in _endedUnstored)
        {
            if (_time.GetElapsedTime(at, now) > _options.EndedTtl)
            {
                _endedUnstored.TryRemove(sid, out _);
            }
        }

        _endedUnstored[callSid] = now;
    }

    private async Task WriteAsync(ConversationCheckpoint checkpoint)
    {
        await _writeGate.WaitAsync();
        try
        {
            // An older checkpoint must never overwrite the record that the call ended.
            if (!checkpoint.Ended && _ended.ContainsKey(checkpoint.CallSid))
            {
                return;
            }

            var sealedBytes = _cipher.Seal(checkpoint.CallSid, checkpoint.ToUtf8Json());
            using var timeout = new CancellationTokenSource(_options.StoreTimeout, _time);
            await _state.SaveCheckpointAsync(checkpoint.CallSid, sealedBytes, checkpoint.Ended ? _options.EndedTtl : _options.Ttl, timeout.Token);
            Interlocked.Increment(ref _written);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _failed);
            Log.WriteFailed(_logger, checkpoint.CallSid, e.Message);
            if (checkpoint.Ended)
            {
                RememberUnstoredEnd(checkpoint.CallSid);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task MarkLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.FrameMarkInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await Task.WhenAll(_live.Values.Select(MarkAsync));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Records now as the call's last caller frame time when caller audio came since the last mark.</summary>
    private async Task MarkAsync(LiveCall call)
    {
        var position = call.Session.CallerPosition;
        if (position == call.MarkedPosition)
        {
            return;
        }

        call.MarkedPosition = position;
        try
        {
            using var timeout = new CancellationTokenSource(_options.StoreTimeout, _time);
            await _state.SaveLastFrameAsync(call.Session.CallId, _time.GetUtcNow(), _options.Ttl, timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _failed);
            Log.MarkFailed(_logger, call.Session.CallId, e.Message);
        }
    }

    /// <summary>The call's checkpoint, or null with why (none stored, unreadable, or the store failed).</summary>
    private async Task<(ConversationCheckpoint? Checkpoint, string? Error)> LoadAsync(string callSid, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.StoreTimeout, _time);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            if (await _state.LoadCheckpointAsync(callSid, bounded.Token) is not { } sealedBytes)
            {
                return (null, null);
            }

            if (!_cipher.TryOpen(callSid, sealedBytes, out var json, out var error)
                || !ConversationCheckpoint.TryParse(json, callSid, out var checkpoint, out error))
            {
                Log.Unreadable(_logger, callSid, error!);
                return (null, error);
            }

            return (checkpoint, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            Log.LoadFailed(_logger, callSid, e.Message);
            return (null, $"the store failed: {e.Message}");
        }
    }

    private async Task<DateTimeOffset?> LastFrameAsync(string callSid, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.StoreTimeout, _time);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            return await _state.LoadLastFrameAsync(callSid, bounded.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            Log.LoadFailed(_logger, callSid, e.Message);
            return null;
        }
    }

    /// <summary>What a resumed stream restores from; <c>Count</c>: which resume of the call it is (its stream parameter, the count /twilio/resume keeps).</summary>
    private sealed record ResumeFrom(ConversationCheckpoint? Checkpoint, DateTimeOffset? LastFrame, string? Error, int Count);

    private sealed class LiveCall(CallSession session)
    {
        public CallSession Session { get; } = session;

        public long MarkedPosition { get; set; }

        public ResumeFrom? Resumed { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "call {CallSid}: resumed from node {FromNode} after a gap of {GapMs} ms with {Turns} turns restored {Error}")]
        public static partial void Resumed(ILogger logger, string callSid, string fromNode, long gapMs, int turns, string error);

        [LoggerMessage(2, LogLevel.Warning, "call {CallSid}: checkpoint not stored: {Error}")]
        public static partial void WriteFailed(ILogger logger, string callSid, string error);

        [LoggerMessage(3, LogLevel.Warning, "call {CallSid}: last caller frame time not stored: {Error}")]
        public static partial void MarkFailed(ILogger logger, string callSid, string error);

        [LoggerMessage(4, LogLevel.Error, "call {CallSid}: checkpoint unreadable: {Error}")]
        public static partial void Unreadable(ILogger logger, string callSid, string error);

        [LoggerMessage(5, LogLevel.Warning, "call {CallSid}: checkpoint not loaded: {Error}")]
        public static partial void LoadFailed(ILogger logger, string callSid, string error);

        [LoggerMessage(6, LogLevel.Information, "call {CallSid}: the stream ended after the call did: hanging up")]
        public static partial void ResumeRefused(ILogger logger, string callSid);

        [LoggerMessage(7, LogLevel.Information, "call {CallSid}: the stream was lost: connecting a new one ({Turns} turns checkpointed) {Error}")]
        public static partial void ResumeAccepted(ILogger logger, string callSid, int turns, string error);
    }
}
