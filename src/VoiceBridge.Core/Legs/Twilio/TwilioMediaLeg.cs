using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// One Twilio Media Streams WebSocket: the caller leg of one call. It turns Twilio's messages into
/// call session inputs and the playout buffer's frames, marks and clears into Twilio messages. A
/// malformed or unknown message is counted, logged and skipped; only the socket's end ends the call,
/// or its silence: Twilio sends a media message every 20 ms for as long as the stream lives, so a
/// socket that brings nothing for <see cref="MediaTimeout"/> is dead (a partition, a failed media
/// server) and is given up, freeing the call's slot; the call may come back on a resumed stream.
/// </summary>
public sealed partial class TwilioMediaLeg : ICallerLegOutput
{
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The call's end reason after Twilio's stop.</summary>
    private const string StoppedByTwilio = "Twilio stopped the stream";

    /// <summary>How long a stream may bring no message before it is taken for dead.</summary>
    public static readonly TimeSpan DefaultMediaTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromSeconds(1);

    private readonly MessageSocket _socket;
    private readonly Func<string, ICallerLegOutput, CallSession> _sessionFactory;
    private readonly CallRegistry _registry;
    private readonly TwilioCounters _counters;
    private readonly ILogger _logger;
    private readonly ITwilioCallUpdater? _calls;
    private readonly ITwilioCallContinuity? _continuity;
    private readonly TwilioInboundMessage _message = new();
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private CallSession? _session;
    private Task<CallSummary>? _sessionRun;
    private string _streamSid = "";
    private string? _callSid;
    private string? _accountSid;
    private List<string>? _errorsBeforeStart;
    private bool _awaitingFirstFrame;
    private volatile bool _callEnded;
    private long _lastMessageAt;
    private volatile bool _givenUp;
    private bool _refused;

    public TwilioMediaLeg(
        MessageSocket socket,
        Func<string, ICallerLegOutput, CallSession> sessionFactory,
        CallRegistry registry,
        TwilioCounters counters,
        ILogger logger,
        ITwilioCallUpdater? calls = null,
        ITwilioCallContinuity? continuity = null)
    {
        _socket = socket;
        _sessionFactory = sessionFactory;
        _registry = registry;
        _counters = counters;
        _logger = logger;
        _calls = calls;
        _continuity = continuity;
    }

    /// <summary>The leg's clock, for <see cref="MediaTimeout"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>No message for this long gives the stream up [<see cref="DefaultMediaTimeout"/>].</summary>
    public TimeSpan MediaTimeout { get; init; } = DefaultMediaTimeout;

    /// <summary>When signatures are checked, a stream's start must show its call's stream token (<see cref="TwilioSignatureVerifier.StreamToken"/>); null takes every start.</summary>
    public TwilioSignatureVerifier? Issuer { get; init; }

    /// <summary>Serves the stream until Twilio closes it or it falls silent; returns the call's summary if a call started.</summary>
    public async Task<CallSummary?> RunAsync(CancellationToken cancellationToken)
    {
        _socket.StartSending();
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _lastMessageAt = Time.GetTimestamp();
        var end = default(SocketEnd);
        using (Time.CreateTimer(_ => GiveUpIfSilent(receiving), null, WatchdogPeriod, WatchdogPeriod))
        {
            end = await _socket.ReceiveAsync(OnMessageAsync, OnBadMessage, receiving.Token);
        }

        var reason = _givenUp ? $"no message for {MediaTimeout.TotalSeconds:0} s: the stream is dead" : end.ToString();
        Log.StreamEnded(_logger, _streamSid, reason);
        if (_givenUp)
        {
            _session?.ReportLegError(reason);
        }

        if (_session is null || _sessionRun is null)
        {
            await _socket.CloseAsync("no call", CancellationToken.None);
            return null;
        }

        await _session.OnHangupAsync(_callEnded ? StoppedByTwilio : $"stream lost: {reason}");
        var summary = await _sessionRun;
        _registry.Ended(_session, summary);
        if (_continuity is not null)
        {
            // A stream lost without Twilio's stop may come back on a new one (docs/scale-out.md).
            await _continuity.OnStreamEndAsync(_session, _callEnded);
        }

        await _socket.CloseAsync("call ended", CancellationToken.None);
        return summary;
    }

    public void SendAudio(ReadOnlySpan<byte> frame)
    {
        _out.ResetWrittenCount();
        TwilioMessageWriter.WriteMedia(_out, _streamSid, frame);
        _socket.TrySend(_out.WrittenSpan);
    }

    public void SendMark(PlayoutMark mark)
    {
        Span<byte> name = stackalloc byte[PlayoutMark.MaxNameBytes];
        var length = mark.FormatName(name);
        _out.ResetWrittenCount();
        TwilioMessageWriter.WriteMark(_out, _streamSid, name[..length]);
        _socket.TrySend(_out.WrittenSpan);
    }

    public void Clear()
    {
        _out.ResetWrittenCount();
        TwilioMessageWriter.WriteClear(_out, _streamSid);
        _socket.TrySend(_out.WrittenSpan);
    }

    /// <summary>
    /// Closes the stream once what was queued is sent: Twilio then ends the call (no verb follows
    /// &lt;Connect&gt;; with a resume action, the call is first recorded as ended so that the action hangs up).
    /// </summary>
    public void HangUp()
    {
        _callEnded = true;
        _ = HangUpAsync(_continuity is not null ? _session?.Checkpoint(ended: true) : null);
    }

    private async Task HangUpAsync(ConversationCheckpoint? ended)
    {
        if (ended is not null)
        {
            await _continuity!.OnCallEndingAsync(ended);
        }

        await _socket.CloseAsync("call ended by VoiceBridge", CancellationToken.None);
    }

    /// <summary>
    /// A media stream cannot move its call: the Calls API updates the live call with
    /// <c>&lt;Dial&gt;</c> TwiML (<see cref="TwilioTwiml.Dial"/>). Once Twilio accepted it, Twilio
    /// stops the stream (a <c>stop</c>, then the socket closes) and the call ends here as usual.
    /// </summary>
    public async Task TransferAsync(string target, CancellationToken cancellationToken)
    {
        try
        {
            if (_calls is null)
            {
                throw new InvalidOperationException("Twilio REST credentials are not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)");
            }

            if (_callSid is null)
            {
                throw new InvalidOperationException("the stream's start message named no call SID");
            }

            await _calls.UpdateTwimlAsync(_accountSid, _callSid, TwilioTwiml.Dial(target), cancellationToken);
            Log.Transferred(_logger, _streamSid, _callSid, target);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.TransferFailed(_logger, _streamSid, target, e.Message);
            throw;
        }
    }

    /// <summary>The watchdog, every second: a stream silent for <see cref="MediaTimeout"/> stops being read, which ends the call here.</summary>
    private void GiveUpIfSilent(CancellationTokenSource receiving)
    {
        if (!_givenUp && !_callEnded && Time.GetElapsedTime(Volatile.Read(ref _lastMessageAt)) >= MediaTimeout)
        {
            _givenUp = true;
            receiving.Cancel();
        }
    }

    private ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        Volatile.Write(ref _lastMessageAt, Time.GetTimestamp());
        var status = TwilioMessageParser.TryParse(utf8.Span, _message, out var error);
        _counters.Count(status);
        if (_refused)
        {
            return ValueTask.CompletedTask;
        }

        if (status != TwilioParseStatus.Ok && _message.Kind == TwilioEventKind.Start && _session is null)
        {
            // A start we cannot take (another audio format, a missing streamSid) leaves nothing to carry: the stream ends.
            return new ValueTask(RefuseAsync(WebSocketCloseStatus.InvalidPayloadData, "start refused", $"start refused: {error}"));
        }

        if (status != TwilioParseStatus.Ok)
        {
            OnBadMessage(error ?? status.ToString());
            return ValueTask.CompletedTask;
        }

        switch (_message.Kind)
        {
            case TwilioEventKind.Start when _session is null && Issuer is { } issuer
                && !issuer.IsIssuedStream(_message.CallSid, _message.CustomParameters.GetValueOrDefault(TwilioSignatureVerifier.StreamTokenParameter)):
                Operations.Rejections.Count(Operations.Rejections.TwilioStreamToken);
                return new ValueTask(RefuseAsync(WebSocketCloseStatus.PolicyViolation, "stream not issued by this bridge", $"start for call {_message.CallSid} without the stream token our TwiML gave that call"));
            case TwilioEventKind.Start when _session is null:
                return new ValueTask(StartCallAsync());
            case TwilioEventKind.Start:
                _counters.CountOutOfOrder();
                OnBadMessage("a second start on the same stream; ignored");
                return ValueTask.CompletedTask;
            case TwilioEventKind.Connected:
                return ValueTask.CompletedTask;
        }

        if (_session is null)
        {
            _counters.CountOutOfOrder();
            OnBadMessage($"{_message.Kind.ToString().ToLowerInvariant()} before start; ignored");
            return ValueTask.CompletedTask;
        }

        if (_message.StreamSid is { } sid && !string.Equals(sid, _streamSid, StringComparison.Ordinal))
        {
            // Every message after the start names its stream; another one's is not this call's.
            OnBadMessage($"{_message.Kind.ToString().ToLowerInvariant()} for stream {sid} on stream {_streamSid}; ignored");
            return ValueTask.CompletedTask;
        }

        if (_awaitingFirstFrame && _message.Kind == TwilioEventKind.Media)
        {
            _awaitingFirstFrame = false;
            _continuity!.OnFirstFrame(_session);
        }

        _callEnded |= _message.Kind == TwilioEventKind.Stop;
        return _message.Kind switch
        {
            TwilioEventKind.Media when _message.Track is null or "inbound" => _session.OnCallerAudioAsync(_message.PayloadSpan),
            // A name we did not write is no mark of ours: nothing to acknowledge.
            TwilioEventKind.Mark => PlayoutMark.TryParse(_message.MarkNameUtf8, out var mark) ? _session.OnMarkAsync(mark) : ValueTask.CompletedTask,
            TwilioEventKind.Dtmf => _session.OnDtmfAsync(_message.Digit!),
            TwilioEventKind.Stop => new ValueTask(StopAsync(_session)),
            _ => ValueTask.CompletedTask,
        };
    }

    /// <summary>Twilio's stop: the call is over, and our side of the socket closes (Twilio closes its own).</summary>
    private async Task StopAsync(CallSession session)
    {
        await session.OnHangupAsync(StoppedByTwilio);
        await _socket.CloseAsync("stream stopped", CancellationToken.None);
    }

    /// <summary>Closes a stream that may not start a call with <paramref name="status"/>; what it sends until it is gone is ignored.</summary>
    private async Task RefuseAsync(WebSocketCloseStatus status, string closeReason, string why)
    {
        _refused = true;
        Log.Refused(_logger, _streamSid, why);
        await _socket.CloseAsync(status, closeReason, CancellationToken.None);
    }

    private async Task StartCallAsync()
    {
        _streamSid = _message.StreamSid!;
        _callSid = _message.CallSid;
        _accountSid = _message.AccountSid;
        var callId = _message.CallSid ?? _streamSid;
        var parameters = _message.CustomParameters;
        var session = _sessionFactory(callId, this);
        if (_continuity is not null)
        {
            // Before the call runs: a resumed stream's conversation is restored into the session.
            await _continuity.OnStreamStartAsync(session, parameters, CancellationToken.None);
            _awaitingFirstFrame = true;
        }

        _session = session;
        _registry.Started(_session);
        foreach (var error in _errorsBeforeStart ?? [])
        {
            _session.ReportLegError(error, logged: true);
        }

        _errorsBeforeStart = null;
        Log.StreamStarted(_logger, _streamSid, callId);
        _sessionRun = _session.RunAsync(CancellationToken.None);
    }

    private void OnBadMessage(string error)
    {
        Volatile.Write(ref _lastMessageAt, Time.GetTimestamp());
        if (_session is not null)
        {
            // The call logs and counts it (once, with its id).
            _session.ReportLegError(error);
            return;
        }

        // No call to report to yet: it gets these when it starts (logged here, the first few).
        _errorsBeforeStart ??= [];
        if (_errorsBeforeStart.Count < 10)
        {
            Log.BadMessage(_logger, _streamSid, error);
        }

        if (_errorsBeforeStart.Count < 100)
        {
            _errorsBeforeStart.Add(error);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "twilio stream {StreamSid}: call {CallId} started")]
        public static partial void StreamStarted(ILogger logger, string streamSid, string callId);

        [LoggerMessage(2, LogLevel.Information, "twilio stream {StreamSid}: {Reason}")]
        public static partial void StreamEnded(ILogger logger, string streamSid, string reason);

        [LoggerMessage(3, LogLevel.Warning, "twilio stream {StreamSid}: bad message: {Error}")]
        public static partial void BadMessage(ILogger logger, string streamSid, string error);

        [LoggerMessage(4, LogLevel.Information, "twilio stream {StreamSid}: call {CallSid} updated to dial {Target}; Twilio ends the stream")]
        public static partial void Transferred(ILogger logger, string streamSid, string callSid, string target);

        [LoggerMessage(5, LogLevel.Error, "twilio stream {StreamSid}: transfer to {Target} failed: {Error}")]
        public static partial void TransferFailed(ILogger logger, string streamSid, string target, string error);

        [LoggerMessage(6, LogLevel.Warning, "twilio stream {StreamSid}: refused: {Why}")]
        public static partial void Refused(ILogger logger, string streamSid, string why);
    }
}
