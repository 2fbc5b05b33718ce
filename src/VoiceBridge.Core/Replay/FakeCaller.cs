using VoiceBridge.Media;

namespace VoiceBridge.Replay;

/// <summary>
/// A recorded caller, whatever carries it (Twilio Media Streams, SIP/RTP): streams the recording
/// in 20 ms frames on the time provider's clock, holds with silence until the agent has answered
/// each utterance (turn-aware pacing), and keeps what it sent and heard, aligned sample for sample.
/// Keys pressed in the recording (DTMF tones, <see cref="DtmfToneDetector"/>) are pressed the way
/// the carrier signals them, once the tone has lasted long enough to be detected, and the tones
/// themselves are sent as silence, as a carrier that detects keys does; their burst still counts as
/// a caller turn for the pacing, so the agent answers the keys before the recording goes on.
/// A subclass sends the frames and says what the caller hears each tick.
/// </summary>
public abstract class FakeCaller
{
    private const int DropoutTicks = 15;

    private readonly short[] _recording;
    private readonly IReadOnlyList<(long Start, long End)> _utterances;
    private readonly List<short> _callerTrack = [];
    private readonly List<short> _agentTrack = [];
    private readonly List<long> _utteranceEndsMs = [];
    private readonly List<long> _dropoutsAtMs = [];
    private readonly List<string> _errors = [];
    private readonly byte[] _frame = new byte[CallClock.FrameSamples];
    private readonly short[] _pcm = new short[CallClock.FrameSamples];
    private readonly short[] _heardPcm = new short[CallClock.FrameSamples];
    private readonly (long AtMs, char Digit)[] _digits;
    private readonly DtmfTonePress[] _recordedKeys;
    private long _recordingPosition;
    private int _nextUtterance;
    private long _waitStartTick = -1;
    private int _releasedFor = -1;
    private long _lastUtteranceEndTick;
    private long _lastAudioTick = -1;
    private long _owedAtTick = -1;
    private long _silentTicksAfterAudio;
    private int _nextDigit;
    private int _nextRecordedKey;

    protected FakeCaller(short[] recording8k, FakeCallerOptions options, TimeProvider time)
    {
        Options = options;
        Time = time;
        _utterances = EnergyVad.FindSegments(recording8k, options.Vad);
        _digits = [.. options.Dtmf.OrderBy(d => d.AtMs)];
        _recordedKeys = [.. DtmfToneDetector.Detect(recording8k)];
        _recording = _recordedKeys.Length == 0 ? recording8k : WithoutTones(recording8k, _recordedKeys);
    }

    /// <summary>The caller's utterances as our VAD finds them in the recording (sample spans).</summary>
    public IReadOnlyList<(long Start, long End)> Utterances => _utterances;

    protected FakeCallerOptions Options { get; }

    protected TimeProvider Time { get; }

    /// <summary>Guards what the caller heard (the receive side runs beside the ticks).</summary>
    protected object Gate { get; } = new();

    /// <summary>20 ms ticks so far.</summary>
    protected long TickCount { get; private set; }

    /// <summary>
    /// Whether the bridge still owes the caller audio (a handoff under way that cut a reply or left
    /// a turn unanswered, <see cref="Call.CallSession.HandoffOwesCaller"/>): the agent's silence then
    /// is a slow handoff, not the end of its reply, and the caller waits (bounded by MaxReplyWait).
    /// </summary>
    public Func<bool>? AgentOwesAudio { get; set; }

    /// <summary>Whether a short silence between agent audio counts as a dropout the caller heard (a carrier that sends nothing when idle).</summary>
    protected virtual bool DetectsDropouts => true;

    /// <summary>Agent audio received and not yet played.</summary>
    protected abstract bool AgentAudioBuffered { get; }

    /// <summary>Plays what the caller hears this tick through <see cref="Hear"/>.</summary>
    protected abstract void PlayOneFrame();

    /// <summary>Sends one caller frame (mu-law) for <paramref name="tick"/>.</summary>
    protected abstract void SendCallerFrame(ReadOnlySpan<byte> frame, long tick);

    /// <summary>
    /// Presses a key (<see cref="FakeCallerOptions.Dtmf"/>) the way the carrier signals it. A
    /// carrier that has no way to is an error of the replay, not a silent skip.
    /// </summary>
    protected virtual void SendDigit(char digit) =>
        AddError($"{GetType().Name} cannot press keys: digit {digit} at {TickCount * CallClock.FrameMs} ms not sent");

    /// <summary>One 20 ms step: play agent audio, send one caller frame. Returns whether to stop (and if the agent was idle).</summary>
    protected bool? Tick()
    {
        TickCount++;
        PlayOneFrame();
        if (AgentOwesAudio?.Invoke() == true)
        {
            _owedAtTick = TickCount;
        }

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
        SendCallerFrame(_frame, TickCount);
        while (_nextDigit < _digits.Length && _digits[_nextDigit].AtMs <= TickCount * CallClock.FrameMs)
        {
            SendDigit(_digits[_nextDigit++].Digit);
        }

        while (_nextRecordedKey < _recordedKeys.Length && _recordedKeys[_nextRecordedKey].DetectedAt < _recordingPosition)
        {
            SendDigit(_recordedKeys[_nextRecordedKey++].Digit);
        }

        return null;
    }

    /// <summary>The caller hears <paramref name="mulaw"/> this tick (empty: nothing), under <see cref="Gate"/>.</summary>
    protected void Hear(ReadOnlySpan<byte> mulaw)
    {
        if (mulaw.IsEmpty)
        {
            _agentTrack.AddRange(new short[CallClock.FrameSamples]);
            if (_lastAudioTick >= 0)
            {
                _silentTicksAfterAudio++;
            }

            return;
        }

        G711.MuLawDecode(mulaw, _heardPcm);
        _agentTrack.AddRange(_heardPcm);
        if (DetectsDropouts && _silentTicksAfterAudio is > 0 and <= DropoutTicks)
        {
            _dropoutsAtMs.Add(TickCount * CallClock.FrameMs);
        }

        _silentTicksAfterAudio = 0;
        _lastAudioTick = TickCount;
    }

    protected void AddError(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    /// <summary>What every carrier observed; a subclass adds its own figures.</summary>
    protected FakeCallerResult Result(bool endedIdle, long framesReceived, long oddPayloads, Func<FakeCallerResult, FakeCallerResult>? extra = null)
    {
        lock (Gate)
        {
            string[] errors;
            lock (_errors)
            {
                errors = [.. _errors];
            }

            var result = new FakeCallerResult
            {
                CallerTrack = [.. _callerTrack],
                AgentTrack = [.. _agentTrack],
                FramesReceived = framesReceived,
                OddSizedPayloads = oddPayloads,
                DropoutsAtMs = [.. _dropoutsAtMs],
                UtteranceEndsMs = [.. _utteranceEndsMs],
                EndedIdle = endedIdle,
                Errors = errors,
            };
            return extra is null ? result : extra(result);
        }
    }

    private static short[] WithoutTones(short[] recording, IEnumerable<DtmfTonePress> keys)
    {
        // A margin each side: the edges of a tone fill too little of a detector window to be seen.
        const int Margin = 2 * CallClock.FrameSamples / 4;
        var copy = (short[])recording.Clone();
        foreach (var key in keys)
        {
            var start = (int)Math.Max(0, key.Start - Margin);
            copy.AsSpan(start, (int)Math.Min(copy.Length, key.End + Margin) - start).Clear();
        }

        return copy;
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
            _lastUtteranceEndTick = TickCount;
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
            && _recordingPosition + CallClock.MsToSamples((long)Options.ResumeLead.TotalMilliseconds) >= _utterances[_nextUtterance].Start;
        var mustWait = atEnd || (Options.Pacing == ReplayPacing.TurnAware && beforeNext && _releasedFor != _nextUtterance);
        if (!mustWait)
        {
            return false;
        }

        if (_waitStartTick < 0)
        {
            _waitStartTick = TickCount;
        }

        var waitedMs = (TickCount - _waitStartTick) * CallClock.FrameMs;
        var answered = AgentIdleAfterReply();
        if (!answered && waitedMs < Options.MaxReplyWait.TotalMilliseconds)
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

    /// <summary>
    /// The agent spoke after the caller's last utterance, owes nothing more, and has been quiet for
    /// ReplyIdle since both its last audio and the end of what it owed (the audio that ends a handoff
    /// is still on its way to the caller when the bridge counts it sent: through a phone's jitter buffer).
    /// </summary>
    private bool AgentIdleAfterReply()
    {
        lock (Gate)
        {
            if (_owedAtTick == TickCount)
            {
                return false;
            }

            var idleTicks = (long)(Options.ReplyIdle.TotalMilliseconds / CallClock.FrameMs);
            return _lastAudioTick > _lastUtteranceEndTick && !AgentAudioBuffered
                && TickCount - Math.Max(_lastAudioTick, _owedAtTick) >= idleTicks;
        }
    }
}
