using VoiceBridge.Media;

namespace VoiceBridge.Load;

/// <summary>
/// The caller's side of one load call's conversation, whatever leg carries it: an utterance of the
/// recording, then silence until the agent's reply has played and a pause has passed (or no reply
/// came in time), then the next utterance. Agent audio is "played" on the caller's clock: each piece
/// extends the time the caller's buffer runs until.
/// </summary>
internal sealed class LoadTurns
{
    /// <summary>After a reply has played, the caller waits this long before its next utterance.</summary>
    private const long PauseMicros = 600_000;

    /// <summary>A reply not begun this long after the caller finished speaking is counted unanswered.</summary>
    private const long ReplyTimeoutMicros = 8_000_000;

    /// <summary>Agent audio arriving this soon after the caller's buffer ran dry is a late frame of the same reply.</summary>
    private const long UnderrunWindowMicros = 500_000;

    private readonly LoadAudio _audio;
    private readonly LoadMeasurements _measure;
    private readonly long _firstWordsAfterMicros;
    private int _utterance;
    private int _position;
    private bool _speaking;
    private long _silenceUntilMicros;
    private long _utteranceEndMicros;
    private bool _replyStarted;
    private long _playoutEndMicros;

    public LoadTurns(int index, LoadAudio audio, LoadMeasurements measure)
    {
        _audio = audio;
        _measure = measure;
        _utterance = index % audio.Utterances.Count;
        // Calls start speaking at staggered moments over three seconds from their first frame, as real callers would.
        _firstWordsAfterMicros = index * 137_000L % 3_000_000;
        _silenceUntilMicros = -1;
    }

    /// <summary>When the agent audio received so far has finished playing at the caller.</summary>
    public long PlayoutEndMicros => _playoutEndMicros;

    /// <summary>Writes the caller's next 20 ms frame: the utterance being spoken, else silence.</summary>
    public void NextFrame(Span<byte> frame, long nowMicros)
    {
        if (_silenceUntilMicros < 0)
        {
            _silenceUntilMicros = nowMicros + _firstWordsAfterMicros;
        }

        if (!_speaking)
        {
            var replyOver = _replyStarted && nowMicros > _playoutEndMicros + PauseMicros;
            var gaveUp = !_replyStarted && _utteranceEndMicros > 0 && nowMicros - _utteranceEndMicros > ReplyTimeoutMicros;
            if (gaveUp)
            {
                _measure.TurnUnanswered();
            }

            if (nowMicros >= _silenceUntilMicros && (_utteranceEndMicros == 0 || replyOver || gaveUp))
            {
                _speaking = true;
                _position = 0;
                _utteranceEndMicros = 0;
            }
        }

        if (!_speaking)
        {
            frame.Fill(G711.MuLawSilence);
            return;
        }

        var utterance = _audio.Utterances[_utterance];
        utterance.AsSpan(_position, CallClock.FrameSamples).CopyTo(frame);
        _position += CallClock.FrameSamples;
        if (_position >= utterance.Length)
        {
            _speaking = false;
            _replyStarted = false;
            _utteranceEndMicros = nowMicros;
            _utterance = (_utterance + 1) % _audio.Utterances.Count;
            _measure.TurnSpoken();
        }
    }

    /// <summary>
    /// Agent audio arrived: a tag at its start (the provider's first audio of a reply) gives the hop
    /// out. With <paramref name="underrunIsLate"/> (a leg that sends audio ahead of time and leaves the
    /// playing to the caller, as Twilio's does), audio arriving just after the caller's buffer ran dry
    /// in the middle of a reply is counted late; a leg that paces its own audio (RTP) judges lateness
    /// from its timestamps instead.
    /// </summary>
    public void AgentAudio(ReadOnlySpan<byte> audio, long nowMicros, bool underrunIsLate)
    {
        var frames = (audio.Length + CallClock.FrameSamples - 1) / CallClock.FrameSamples;
        if (HopTag.TryRead(audio, out var stamp))
        {
            _measure.HopOut.Record(HopTag.ElapsedMicros(stamp, nowMicros));
        }
        else if (underrunIsLate && nowMicros > _playoutEndMicros && nowMicros - _playoutEndMicros < UnderrunWindowMicros && _replyStarted)
        {
            _measure.AgentFramesLate(frames);
        }

        if (!_replyStarted && _utteranceEndMicros > 0 && !_speaking)
        {
            _measure.FirstAudio.Record(nowMicros - _utteranceEndMicros);
        }

        _replyStarted = true;
        _measure.AgentFramesReceived(frames);
        _playoutEndMicros = Math.Max(_playoutEndMicros, nowMicros) + (audio.Length * 1_000_000L / CallClock.SampleRate);
    }

    /// <summary>The leg dropped what the caller had buffered (a barge-in's clear).</summary>
    public void Cleared(long nowMicros) => _playoutEndMicros = nowMicros;
}
