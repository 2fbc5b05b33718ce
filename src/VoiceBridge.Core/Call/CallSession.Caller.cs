using VoiceBridge.Media;

namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private long _speechStartPosition = -1;
    private long _speechStartMs;
    private const int EngineTurnEndMinSilenceMs = 200;
    private long _vadArrivalEnd;
    private long _vadArrivalMs;

    private void OnCallerAudio(ReadOnlySpan<byte> mulaw)
    {
        var position = _audioLog.End;
        _audioLog.Append(position, mulaw);
        if (_consentUntilMs is { } until && NowMs >= until)
        {
            EndConsent("not confirmed heard in time");
        }

        RunVad(position, mulaw);
        if (_engineReady)
        {
            _engine!.SendCallerAudio(position, mulaw);
            _engineFedUntil = _audioLog.End;
            _audioLog.Heard(_engineFedUntil);
        }

        _shadow?.SendCallerAudio(position, mulaw);
    }

    /// <summary>Our own VAD: its speech spans are the call's user turns.</summary>
    private void RunVad(long position, ReadOnlySpan<byte> mulaw)
    {
        _vadArrivalEnd = position + mulaw.Length;
        _vadArrivalMs = NowMs;
        _vad.Process(position, mulaw, _onVadEvent);
    }

    private void OnVadEvent(VadEvent vadEvent)
    {
        if (vadEvent.Kind == VadEventKind.SpeechStarted)
        {
            _speechStartPosition = vadEvent.Position;
            _speechStartMs = MsOfCallerPosition(vadEvent.Position);
        }
        else if (vadEvent.Kind == VadEventKind.SpeechStopped && _speechStartPosition >= 0)
        {
            AddUserTurn(_speechStartPosition, vadEvent.Position, _speechStartMs, MsOfCallerPosition(vadEvent.Position));
            _speechStartPosition = -1;
            TryEndSeeding();
        }
    }

    /// <summary>When caller audio at <paramref name="position"/> arrived (from the newest audio's arrival).</summary>
    private long MsOfCallerPosition(long position) =>
        _vadArrivalMs - CallClock.SamplesToMs(Math.Max(0, _vadArrivalEnd - position));

    private void AddUserTurn(long startPosition, long endPosition, long startMs, long endMs)
    {
        var turn = Conversation.Add(new ConversationTurn
        {
            Role = TurnRole.User,
            Engine = _engine?.Name ?? "",
            StartPosition = startPosition,
            EndPosition = endPosition,
            StartMs = startMs,
            EndMs = endMs,
        });
        Log.UserTurn(_logger, CallId, startMs, endMs);
        AttachPendingTranscripts(turn);
        ArmResponseStall(turn);
        ForgetHeardAgentAudio();
    }

    private void OnHold(bool held)
    {
        if (held == _playout.IsHeld)
        {
            return;
        }

        if (held)
        {
            Log.Held(_logger, CallId);
        }
        else
        {
            Log.Resumed(_logger, CallId, NowMs - _playout.HeldSinceMs);
        }

        _playout.Hold(held, NowMs);
    }
}
