using System.Buffers;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>
/// Acts as Twilio for a recorded caller: opens the media WebSocket, sends connected and start,
/// streams the recording as 20 ms media frames on the time provider's clock, plays the agent's
/// audio in real time, echoes marks only once the audio before them has played (and pending marks
/// on clear), and sends stop. Everything it saw is in the result, to check the bridge's accounting.
/// </summary>
public sealed partial class FakeTwilioCaller
{
    private readonly short[] _recording;
    private readonly FakeCallerOptions _options;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<(long Start, long End)> _utterances;
    private readonly List<short> _callerTrack = [];
    private readonly List<short> _agentTrack = [];
    private readonly List<long> _utteranceEndsMs = [];
    private readonly List<string> _errors = [];
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private readonly byte[] _frame = new byte[CallClock.FrameSamples];
    private readonly short[] _pcm = new short[CallClock.FrameSamples];
    private MessageSocket? _socket;
    private long _sequence;
    private long _tick;
    private long _recordingPosition;
    private int _nextUtterance;
    private long _waitStartTick = -1;
    private int _releasedFor = -1;
    private long _lastUtteranceEndTick;

    public FakeTwilioCaller(short[] recording8k, FakeCallerOptions options, TimeProvider time)
    {
        _recording = recording8k;
        _options = options;
        _time = time;
        _utterances = EnergyVad.FindSegments(recording8k, options.Vad);
    }

    /// <summary>The caller's utterances as our VAD finds them in the recording (sample spans).</summary>
    public IReadOnlyList<(long Start, long End)> Utterances => _utterances;

    public async Task<FakeCallerResult> RunAsync(IWebSocketConnector connector, Uri mediaUri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var webSocket = await connector.ConnectAsync(mediaUri, headers, cancellationToken);
        await using var socket = new MessageSocket(webSocket, 4096, TwilioMediaLeg.MaxMessageBytes);
        _socket = socket;
        socket.StartSending();
        var receive = socket.ReceiveAsync(OnMessageAsync, e => AddError($"bad message from the bridge: {e}"), cancellationToken);

        Send(w => TwilioCarrierWriter.WriteConnected(w));
        Send(w => TwilioCarrierWriter.WriteStart(w, ++_sequence, _options.StreamSid, _options.AccountSid, _options.CallSid, new Dictionary<string, string>()));

        var endedIdle = false;
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(CallClock.FrameMs), _time))
        {
            while (!receive.IsCompleted && !_streamEndRequested && await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_streamEndRequested)
                {
                    // The call was moved (a transfer): Twilio ends the stream.
                    break;
                }

                var finished = Tick();
                if (finished is not null)
                {
                    endedIdle = finished.Value;
                    break;
                }
            }
        }

        Send(w => TwilioCarrierWriter.WriteStop(w, ++_sequence, _options.StreamSid, _options.AccountSid, _options.CallSid));
        using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
        await socket.CloseAsync("stop", closeTimeout.Token);
        var end = await receive;
        if (!end.ClosedByPeer)
        {
            AddError($"media socket did not close cleanly: {end}");
        }

        return Result(endedIdle);
    }

    /// <summary>One 20 ms step: play agent audio, send one caller frame. Returns whether to stop (and if the agent was idle).</summary>
    private bool? Tick()
    {
        _tick++;
        PlayOneFrame();
        if (ShouldHold(out var stop))
        {
            if (stop is not null)
            {
                return stop;
            }

            _frame.AsSpan().Fill(G711.MuLawSilence);
            Array.Clear(_pcm);
        }
        else
        {
            NextRecordingFrame();
        }

        _callerTrack.AddRange(_pcm);
        var tick = _tick;
        Send(w => TwilioCarrierWriter.WriteMedia(w, ++_sequence, _options.StreamSid, tick, (tick - 1) * CallClock.FrameMs, _frame));
        return null;
    }

    private void NextRecordingFrame()
    {
        var n = (int)Math.Min(CallClock.FrameSamples, Math.Max(0, _recording.Length - _recordingPosition));
        _recording.AsSpan((int)_recordingPosition, n).CopyTo(_pcm);
        _pcm.AsSpan(n).Clear();
        G711.MuLawEncode(_pcm, _frame);
        _recordingPosition += CallClock.FrameSamples;
        while (_nextUtterance < _utterances.Count && _recordingPosition >= _utterances[_nextUtterance].End)
        {
            var sentEnd = _callerTrack.Count + CallClock.FrameSamples - (_recordingPosition - _utterances[_nextUtterance].End);
            _utteranceEndsMs.Add(CallClock.SamplesToMs(sentEnd));
            _nextUtterance++;
            _lastUtteranceEndTick = _tick;
        }
    }

    /// <summary>
    /// Turn-aware pacing: before the next utterance starts (or at the end of the recording), hold
    /// with silence until the agent has answered the last one, bounded by MaxReplyWait.
    /// </summary>
    private bool ShouldHold(out bool? stop)
    {
        stop = null;
        var atEnd = _recordingPosition >= _recording.Length;
        var beforeNext = _nextUtterance < _utterances.Count && _nextUtterance > 0
            && _recordingPosition + CallClock.MsToSamples((long)_options.ResumeLead.TotalMilliseconds) >= _utterances[_nextUtterance].Start;
        var mustWait = atEnd || (_options.Pacing == ReplayPacing.TurnAware && beforeNext && _releasedFor != _nextUtterance);
        if (!mustWait)
        {
            return false;
        }

        if (_waitStartTick < 0)
        {
            _waitStartTick = _tick;
        }

        var waitedMs = (_tick - _waitStartTick) * CallClock.FrameMs;
        var answered = AgentIdleAfterReply();
        if (!answered && waitedMs < _options.MaxReplyWait.TotalMilliseconds)
        {
            return true;
        }

        if (atEnd)
        {
            stop = answered;
            return true;
        }

        _waitStartTick = -1;
        _releasedFor = _nextUtterance;
        return false;
    }

    private FakeCallerResult Result(bool endedIdle)
    {
        lock (_gate)
        {
            string[] errors;
            lock (_errors)
            {
                errors = [.. _errors];
            }

            return new FakeCallerResult
            {
                CallerTrack = [.. _callerTrack],
                AgentTrack = [.. _agentTrack],
                FramesReceived = _framesReceived,
                OddSizedPayloads = _oddPayloads,
                DropoutsAtMs = [.. _dropoutsAtMs],
                MarksPlayed = _marksPlayed,
                MarksFlushed = _marksFlushed,
                Clears = _clears,
                UtteranceEndsMs = [.. _utteranceEndsMs],
                EndedIdle = endedIdle,
                Errors = errors,
                TransferredTo = _transferredTo,
                CallUpdates = [.. _callUpdates],
            };
        }
    }

    private void Send(Action<IBufferWriter<byte>> write)
    {
        lock (_out)
        {
            _out.ResetWrittenCount();
            write(_out);
            _socket!.TrySend(_out.WrittenSpan);
        }
    }

    private void AddError(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }
}
