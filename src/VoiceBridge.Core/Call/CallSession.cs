using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Legs;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// The one place where a caller leg meets an engine. Everything that changes the call (caller
/// audio, marks, engine events, tool results, the 20 ms tick) goes through one bounded queue and
/// one loop, so the call's state has a single writer and runs the same on real or virtual time.
/// </summary>
public sealed partial class CallSession : IEngineEvents
{
    private readonly Channel<CallInput> _inputs = Channel.CreateBounded<CallInput>(
        new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly string _legName;
    private readonly ICallerLegOutput _leg;
    private readonly IEngineChain _chain;
    private readonly ToolRegistry _tools;
    private readonly CallSessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CallerAudioLog _audioLog;
    private readonly PlayoutBuffer _playout;
    private readonly MuLawVad _vad;
    private readonly Action<VadEvent> _onVadEvent;
    private readonly List<string> _errors = [];
    private const int KeptErrors = 100;
    private const int LoggedLegErrors = 10;
    private int _errorsNotKept;
    private int _legErrors;
    private string? _endReason;
    private readonly CancellationTokenSource _stop = new();
    private long _startTimestamp;
    private bool _ended;

    public CallSession(
        string callId,
        string legName,
        ICallerLegOutput leg,
        IEngineChain chain,
        ToolRegistry tools,
        CallSessionOptions options,
        TimeProvider time,
        ILogger logger)
    {
        CallId = callId;
        _legName = legName;
        _leg = leg;
        _chain = chain;
        _tools = tools;
        _options = options;
        _time = time;
        _logger = logger;
        _audioLog = new CallerAudioLog(options.CallerAudioLogCapacity);
        _playout = new PlayoutBuffer(leg, options.Playout);
        _playout.ItemStarted += OnItemStarted;
        _playout.ItemSent += OnItemSent;
        _playout.ItemHeard += OnItemHeard;
        _vad = new MuLawVad(options.Vad);
        _onVadEvent = OnVadEvent;
        Conversation = new Conversation(options.Instructions);
    }

    /// <summary>A call answered by one engine, with no failover.</summary>
    public CallSession(
        string callId,
        string legName,
        ICallerLegOutput leg,
        Func<IAgentEngine> engineFactory,
        ToolRegistry tools,
        CallSessionOptions options,
        TimeProvider time,
        ILogger logger)
        : this(callId, legName, leg, new SingleEngineChain(engineFactory), tools, options, time, logger)
    {
    }

    public string CallId { get; }

    public Conversation Conversation { get; }

    /// <summary>Caller audio received, in samples (the end of the caller's clock).</summary>
    public long CallerPosition => _audioLog.End;

    public PlayoutBuffer Playout => _playout;

    public CallerAudioLog AudioLog => _audioLog;

    /// <summary>Milliseconds since the call started, on the call's time provider.</summary>
    public long NowMs => _startTimestamp == 0 ? 0 : (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    /// <summary>Runs the call until the caller hangs up or <paramref name="cancellationToken"/> fires.</summary>
    public async Task<CallSummary> RunAsync(CancellationToken cancellationToken)
    {
        _startTimestamp = _time.GetTimestamp();
        BeginTelemetry();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        using var pacing = CallPacer.For(_time).Register(OnPacerTick);
        StartFirstEngine();
        StartShadow();
        try
        {
            while (!_ended && await _inputs.Reader.WaitToReadAsync(linked.Token))
            {
                while (!_ended && _inputs.Reader.TryRead(out var input))
                {
                    try
                    {
                        Handle(input);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // A bug handling one input must not end the call: log it loudly, count it, go on.
                        Log.InputFailed(_logger, CallId, input.Kind.ToString(), e);
                        AddError($"internal: handling {input.Kind} failed: {e.Message}");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            Log.CallCancelled(_logger, CallId);
        }

        _stop.Cancel();
        pacing.Dispose();
        await StopEngineAsync();
        await StopShadowAsync();
        var summary = Summarize() with { Shadow = CompareShadow() };
        RaiseEnded();
        EndTelemetry(summary);
        return summary;
    }

    /// <summary>The leg received caller audio (mu-law 8 kHz); the bytes are copied.</summary>
    public ValueTask OnCallerAudioAsync(ReadOnlySpan<byte> mulaw)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(mulaw.Length);
        mulaw.CopyTo(buffer);
        return _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.CallerAudio, Buffer = buffer, Length = mulaw.Length });
    }

    /// <summary>The leg reports a mark it sent: played, or flushed by a clear.</summary>
    public ValueTask OnMarkAsync(PlayoutMark mark) => _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.Mark, Mark = mark });

    /// <summary>The caller pressed a key (one of 0-9, *, #, A-D); see CallSession.Dtmf.cs.</summary>
    public ValueTask OnDtmfAsync(string digit) => _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.Dtmf, Text = digit });

    /// <summary>The caller put the call on hold (<paramref name="held"/>) or took it off: agent audio waits meanwhile (<see cref="PlayoutBuffer.Hold"/>).</summary>
    public ValueTask OnHoldAsync(bool held) => _inputs.Writer.WriteAsync(new CallInput { Kind = held ? CallInputKind.Held : CallInputKind.Resumed });

    /// <summary>The caller's side ended (Twilio stop, socket closed, BYE), for <paramref name="reason"/>: the call's end reason unless the session gave one first.</summary>
    public ValueTask OnHangupAsync(string reason)
    {
        EndsBecause(reason);
        return _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.Hangup });
    }

    /// <summary>Why the call ended, in the summary and the <c>call-ended</c> audit event; the first reason given stands.</summary>
    private void EndsBecause(string reason) => Interlocked.CompareExchange(ref _endReason, reason, null);

    /// <summary>
    /// A bad message from the leg: counted and kept in the summary, never fatal. The first
    /// <see cref="LoggedLegErrors"/> of a call are logged, the rest only counted, so a carrier
    /// sending garbage at its media rate cannot flood the log. <paramref name="logged"/>: the leg
    /// logged it already (it came before the call started).
    /// </summary>
    public void ReportLegError(string error, bool logged = false)
    {
        var count = Interlocked.Increment(ref _legErrors);
        if (count <= LoggedLegErrors && !logged)
        {
            Log.LegError(_logger, CallId, error);
        }

        if (count == LoggedLegErrors)
        {
            Log.LegErrorsQuiet(_logger, CallId, LoggedLegErrors);
        }

        AddError($"{_legName}: {error}");
    }

    ValueTask IEngineEvents.PostAsync(EngineEvent engineEvent) =>
        _inputs.Writer.WriteAsync(new CallInput { Kind = CallInputKind.Engine, Event = engineEvent });

    private void Handle(CallInput input)
    {
        switch (input.Kind)
        {
            case CallInputKind.CallerAudio:
                OnCallerAudio(input.Buffer.AsSpan(0, input.Length));
                ArrayPool<byte>.Shared.Return(input.Buffer!);
                break;
            case CallInputKind.Tick:
                OnTick();
                break;
            case CallInputKind.Mark:
                _playout.OnMark(input.Mark);
                break;
            case CallInputKind.Dtmf:
                OnDtmf(input.Text);
                break;
            case CallInputKind.Engine:
                OnEngineEvent(input.Event!);
                break;
            case CallInputKind.ToolResult:
                OnToolResult(input.Event!, input.Text!);
                break;
            case CallInputKind.CallControl:
                OnCallControl(input.Control!);
                break;
            case CallInputKind.Drill:
                OnDrill(input.Text!);
                break;
            case CallInputKind.Shadow:
                _shadow?.OnEvent(input.Event!, NowMs);
                break;
            case CallInputKind.Held or CallInputKind.Resumed:
                OnHold(input.Kind == CallInputKind.Held);
                break;
            case CallInputKind.Hangup:
                _ended = true;
                break;
        }
    }

    /// <summary>Keeps <paramref name="error"/> for the summary; past <see cref="KeptErrors"/> a call's errors are only counted.</summary>
    private void AddError(string error)
    {
        lock (_errors)
        {
            if (_errors.Count < KeptErrors)
            {
                _errors.Add(error);
            }
            else
            {
                _errorsNotKept++;
            }
        }
    }
}
