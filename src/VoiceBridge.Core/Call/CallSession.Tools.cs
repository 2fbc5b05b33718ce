using Microsoft.Extensions.Logging;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>What a <see cref="CallInputKind.CallControl"/> input asks of the call loop.</summary>
internal enum CallControlKind
{
    /// <summary>The <c>hangup</c> tool: end the call once the agent's words have been heard.</summary>
    HangUp,

    /// <summary>The <c>transfer</c> tool: transfer the call once the agent's words have been heard.</summary>
    Transfer,

    /// <summary>A frame passed while a hang-up or transfer waits: has the playout drained?</summary>
    Check,

    /// <summary>The leg's carrier accepted the transfer.</summary>
    TransferDone,

    /// <summary>The leg could not transfer the call.</summary>
    TransferFailed,

    /// <summary>A transferred call's stream has not ended on its own.</summary>
    StreamEndTimeout,
}

/// <summary>A call-control request or its progress, carried out on the call loop.</summary>
internal sealed record CallControlInput(CallControlKind Kind, string? Target = null, string Reason = "", string? Error = null, string By = "");

/// <summary>
/// Tools (FAILOVER.md, "Tool calls in flight"): the session, not the engine, runs them, so a result
/// survives the fence; only complete call items reach here (the engines drop a call cut off
/// mid-arguments); each call is in the conversation with its output, as a pair. Every invocation
/// carries an idempotency key (call id and provider call id); a call the next engine re-issues
/// after a switch (same tool, same arguments) is not run again: it gets the earlier result.
/// Call control: the built-in <c>hangup</c> and <c>transfer</c> tools act on the call through
/// <see cref="ICallControl"/>, on the call loop, once what the agent is saying has been heard;
/// <see cref="FinishLastResort"/> ends a call every engine has failed.
/// </summary>
public sealed partial class CallSession : ICallControl
{
    private readonly Dictionary<string, ToolInvocation> _toolsByCallId = new(StringComparer.Ordinal);
    private readonly List<ToolInvocation> _toolInvocations = [];
    private int _callControlRequested;
    private CallControlInput? _pendingControl;
    private string _pendingControlBy = "";
    private long _pendingSinceMs;
    private CancellationTokenSource? _controlPoll;

    /// <summary>Where the call was transferred (the carrier accepted it), if it was.</summary>
    public string? TransferredTo { get; private set; }

    /// <summary>The idempotency key of a tool invocation: the call and the provider's id of the call item.</summary>
    public static string ToolIdempotencyKey(string callId, string providerCallId) => $"{callId}:{providerCallId}";

    /// <summary>Runs (or joins) the tool a complete call item asked for; its output comes back through the call loop.</summary>
    private async Task RunToolAsync(EngineEvent call)
    {
        var invocation = ToolInvocationFor(call);
        var output = await invocation.Result;
        await _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.ToolResult, Event = call, Text = output });
    }

    /// <summary>
    /// On the call loop. The same provider call id twice is one call. A call an engine of a later
    /// generation makes with the same tool and arguments as an earlier engine's is the same logical
    /// call re-issued across a switch: it joins the earlier invocation (running or done) unless that
    /// one failed, and keeps its idempotency key. Anything else is a new invocation.
    /// </summary>
    private ToolInvocation ToolInvocationFor(EngineEvent call)
    {
        var name = call.Name ?? "";
        var arguments = call.Arguments ?? "";
        var providerCallId = call.CallId ?? $"call-{_toolInvocations.Count + 1}";
        if (_toolsByCallId.TryGetValue(providerCallId, out var same))
        {
            Log.ToolJoined(_logger, CallId, name, providerCallId, same.Key);
            return same;
        }

        var signature = name + "\n" + ToolRegistry.CanonicalArguments(arguments);
        var earlier = _toolInvocations.LastOrDefault(i => i.Signature == signature && i.Generation < call.Generation && !i.Failed);
        if (earlier is not null)
        {
            _toolsByCallId[providerCallId] = earlier;
            Log.ToolJoined(_logger, CallId, name, providerCallId, earlier.Key);
            return earlier;
        }

        var key = _toolInvocations.LastOrDefault(i => i.Signature == signature && i.Generation < call.Generation)?.Key
            ?? ToolIdempotencyKey(CallId, providerCallId);
        var context = new ToolContext(CallId, key, _options.DryRunTools, this);
        var invocation = new ToolInvocation(key, signature, call.Generation, _tools.InvokeAsync(name, arguments, context, _stop.Token));
        _toolInvocations.Add(invocation);
        _toolsByCallId[providerCallId] = invocation;
        return invocation;
    }

    private void OnToolResult(EngineEvent call, string output)
    {
        _toolsRunning--;
        if (_toolsRunning == 0 && _responseDeadlineMs is { } owed)
        {
            // The stall timer was paused while our tools ran: the engine owes the reply to their
            // results and gets a whole stall window for it.
            ArmResponseDeadline(Math.Max(owed, NowMs + _options.Failover.ResponseStallMs));
        }

        Conversation.AddToolCall(new ToolCallRecord(call.CallId!, call.Name ?? "", call.Arguments ?? "", output, _engine?.Name ?? "", NowMs));
        if (call.Generation == _generation && _engine is not null)
        {
            _engine.SubmitToolResult(call.CallId!, output);
        }
    }

    ValueTask<CallControlResult> ICallControl.RequestHangUpAsync(string reason, CancellationToken cancellationToken) =>
        RequestCallControlAsync(new CallControlInput(CallControlKind.HangUp, null, reason), new CallControlResult(true), cancellationToken);

    ValueTask<CallControlResult> ICallControl.RequestTransferAsync(string? target, string reason, CancellationToken cancellationToken)
    {
        var check = _options.CallControl.Check(target);
        return check.Accepted
            ? RequestCallControlAsync(new CallControlInput(CallControlKind.Transfer, check.Target, reason), check, cancellationToken)
            : ValueTask.FromResult(check);
    }

    /// <summary>Any thread: the leg sends the keys itself, on its own clock.</summary>
    CallControlResult ICallControl.SendDigits(string digits)
    {
        if (!_leg.SendDtmf(digits))
        {
            return CallControlResult.Refused("this call's carrier cannot send keys (Twilio Media Streams has no way to; a SIP caller must offer telephone-event)");
        }

        Log.DigitsSent(_logger, CallId, digits);
        return new CallControlResult(true);
    }

    /// <summary>Any thread: the first request of the call wins and is posted to the call loop.</summary>
    private async ValueTask<CallControlResult> RequestCallControlAsync(CallControlInput request, CallControlResult accepted, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _callControlRequested, 1, 0) != 0)
        {
            return CallControlResult.Refused("the call is already being ended or transferred");
        }

        await _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.CallControl, Control = request }, cancellationToken);
        return accepted;
    }

    private void OnCallControl(CallControlInput input)
    {
        switch (input.Kind)
        {
            case CallControlKind.HangUp or CallControlKind.Transfer:
                _pendingControl = input;
                _pendingControlBy = _engine?.Name ?? "tool";
                _pendingSinceMs = NowMs;
                Log.CallControlRequested(_logger, CallId, input.Kind == CallControlKind.HangUp ? "hang-up" : $"transfer to {input.Target}", _pendingControlBy, input.Reason);
                if (!TryFinishPendingControl())
                {
                    StartControlPoll();
                }

                break;
            case CallControlKind.Check:
                TryFinishPendingControl();
                break;
            case CallControlKind.TransferDone:
                TransferredTo = input.Target;
                EndsBecause($"transferred to {input.Target} by {input.By}");
                Log.Transferred(_logger, CallId, input.Target!);
                _ = PostAfterAsync(_options.CallControl.TransferStreamEndTimeout, new CallControlInput(CallControlKind.StreamEndTimeout, input.Target));
                break;
            case CallControlKind.TransferFailed:
                AddError($"transfer to {input.Target} failed: {input.Error}; hanging up instead");
                Log.TransferFailed(_logger, CallId, input.Target!, input.Error ?? "");
                Audit("transfer-failed", input.By, input.Target, input.Error, new { target = input.Target, error = input.Error });
                HangUpNow(input.By, $"transfer to {input.Target} failed");
                break;
            case CallControlKind.StreamEndTimeout:
                // The call now runs elsewhere: closing our side of the media stream cannot end it.
                Log.StreamEndTimeout(_logger, CallId, input.Target!);
                _leg.HangUp();
                break;
        }
    }

    /// <summary>
    /// Carries out the pending hang-up or transfer once the caller has heard what the agent was
    /// saying (no agent audio in progress, nothing queued or in flight, every mark echoed), or
    /// when <see cref="CallControlOptions.DrainTimeout"/> has passed. Returns whether it is done.
    /// </summary>
    private bool TryFinishPendingControl()
    {
        if (_pendingControl is not { } pending)
        {
            _controlPoll?.Cancel();
            return true;
        }

        var waitedMs = NowMs - _pendingSinceMs;
        var drained = _audioItem is null && !_playout.IsPlaying && _playout.PendingMarks == 0;
        if (!drained && waitedMs < _options.CallControl.DrainTimeout.TotalMilliseconds)
        {
            return false;
        }

        _pendingControl = null;
        _controlPoll?.Cancel();
        if (!drained)
        {
            Log.DrainTimedOut(_logger, CallId, waitedMs);
        }

        if (pending.Kind == CallControlKind.HangUp)
        {
            HangUpNow(_pendingControlBy, pending.Reason, waitedMs);
        }
        else
        {
            TransferNow(_pendingControlBy, pending.Target!, pending.Reason, waitedMs);
        }

        return true;
    }

    /// <summary>
    /// The last resort's end, once the caller has heard the apology (or at once without one):
    /// transfers the call to <see cref="CallSessionOptions.LastResortTransferTo"/> when it is set,
    /// else hangs up; audited as <c>transfer</c> or <c>hangup</c>. A transfer that fails hangs up.
    /// Overrides a hang-up or transfer a tool asked for that is still waiting.
    /// </summary>
    private void FinishLastResort()
    {
        Interlocked.Exchange(ref _callControlRequested, 1);
        _pendingControl = null;
        _controlPoll?.Cancel();
        const string By = "last-resort";
        const string Reason = "every engine of the chain is down";
        if (string.IsNullOrWhiteSpace(_options.LastResortTransferTo))
        {
            HangUpNow(By, Reason);
            return;
        }

        if (!TransferTarget.TryNormalize(_options.LastResortTransferTo, out var target, out var error))
        {
            AddError($"last resort: {nameof(CallSessionOptions.LastResortTransferTo)}: {error}; hanging up instead");
            HangUpNow(By, Reason);
            return;
        }

        TransferNow(By, target, Reason);
    }

    private void HangUpNow(string by, string reason, long waitedMs = 0)
    {
        Audit("hangup", by, null, reason, new { waitedMs, dryRun = _options.DryRunTools });
        Log.HangingUp(_logger, CallId, by, reason);
        EndsBecause($"hung up by {by}: {reason}");
        _leg.HangUp();
    }

    private void TransferNow(string by, string target, string reason, long waitedMs = 0)
    {
        Audit("transfer", by, target, reason, new { target, waitedMs, dryRun = _options.DryRunTools });
        Log.Transferring(_logger, CallId, target, by, reason);
        _ = TransferCoreAsync(by, target);
    }

    /// <summary>Asks the leg to move the call; the outcome comes back through the call loop.</summary>
    private async Task TransferCoreAsync(string by, string target)
    {
        CallControlInput outcome;
        try
        {
            await _leg.TransferAsync(target, _stop.Token);
            outcome = new CallControlInput(CallControlKind.TransferDone, target, By: by);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            outcome = new CallControlInput(CallControlKind.TransferFailed, target, Error: e.Message, By: by);
        }

        await PostControlAsync(outcome);
    }

    /// <summary>Checks the playout every frame while a hang-up or transfer waits for it to drain.</summary>
    private void StartControlPoll()
    {
        _controlPoll?.Dispose();
        _controlPoll = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _ = PollControlAsync(_controlPoll.Token);
    }

    private async Task PollControlAsync(CancellationToken cancellationToken)
    {
        var check = new CallControlInput(CallControlKind.Check);
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(CallClock.FrameMs), _time, cancellationToken);
                await _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.CallControl, Control = check }, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PostAfterAsync(TimeSpan delay, CallControlInput input)
    {
        try
        {
            await Task.Delay(delay, _time, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await PostControlAsync(input);
    }

    private async Task PostControlAsync(CallControlInput input)
    {
        try
        {
            await _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.CallControl, Control = input }, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // The call ended first.
        }
    }

    /// <summary>One logical tool call: its key, what it asked (tool and canonical arguments), the engine generation that asked, its result.</summary>
    private sealed class ToolInvocation(string key, string signature, int generation, Task<string> result)
    {
        public string Key { get; } = key;

        public string Signature { get; } = signature;

        public int Generation { get; } = generation;

        public Task<string> Result { get; } = result;

        /// <summary>Done with an error result (or no result): a re-issued call runs it again, with the same key.</summary>
        public bool Failed => Result.IsCompleted && (!Result.IsCompletedSuccessfully || ToolRegistry.IsError(Result.Result));
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Information, "call {CallId}: tool {Tool} call {ProviderCallId} is the call {Key} already made: its result is reused, the tool is not run again")]
        public static partial void ToolJoined(ILogger logger, string callId, string tool, string providerCallId, string key);

        [LoggerMessage(41, LogLevel.Information, "call {CallId}: {Action} requested by {By} ({Reason}); once the caller has heard what is playing")]
        public static partial void CallControlRequested(ILogger logger, string callId, string action, string by, string reason);

        [LoggerMessage(42, LogLevel.Warning, "call {CallId}: the agent's audio was not heard to its end within {WaitedMs} ms; going ahead")]
        public static partial void DrainTimedOut(ILogger logger, string callId, long waitedMs);

        [LoggerMessage(43, LogLevel.Information, "call {CallId}: hanging up ({By}: {Reason})")]
        public static partial void HangingUp(ILogger logger, string callId, string by, string reason);

        [LoggerMessage(44, LogLevel.Information, "call {CallId}: transferring to {Target} ({By}: {Reason})")]
        public static partial void Transferring(ILogger logger, string callId, string target, string by, string reason);

        [LoggerMessage(45, LogLevel.Information, "call {CallId}: transferred to {Target}; the carrier ends the media stream")]
        public static partial void Transferred(ILogger logger, string callId, string target);

        [LoggerMessage(46, LogLevel.Error, "call {CallId}: transfer to {Target} failed: {Error}; hanging up instead")]
        public static partial void TransferFailed(ILogger logger, string callId, string target, string error);

        [LoggerMessage(47, LogLevel.Warning, "call {CallId}: transferred to {Target}, but the media stream did not end; closing it")]
        public static partial void StreamEndTimeout(ILogger logger, string callId, string target);
    }
}
