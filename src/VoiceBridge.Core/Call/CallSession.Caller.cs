using VoiceBridge.Media;

namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private long _speechStartPosition = -1;
    private long _speechStartMs;
    private long _vadRemainderStart;
    private readonly byte[] _vadRemainder = new byte[CallClock.FrameSamples];
    private int _vadRemainderLength;

    private void OnCallerAudio(ReadOnlySpan<byte> mulaw)
    {
        var position = _audioLog.End;
        _audioLog.Append(position, mulaw);
        RunVad(position, mulaw);
        if (_engineReady)
        {
            _engine!.SendCallerAudio(position, mulaw);
            _engineFedUntil = _audioLog.End;
        }
    }

    /// <summary>Our own VAD over whole 20 ms frames, whatever size the leg delivers.</summary>
    private void RunVad(long position, ReadOnlySpan<byte> mulaw)
    {
        var arrivalEnd = position + mulaw.Length;
        while (!mulaw.IsEmpty)
        {
            if (_vadRemainderLength == 0)
            {
                _vadRemainderStart = position;
            }

            var n = Math.Min(mulaw.Length, _vadRemainder.Length - _vadRemainderLength);
            mulaw[..n].CopyTo(_vadRemainder.AsSpan(_vadRemainderLength));
            _vadRemainderLength += n;
            mulaw = mulaw[n..];
            position += n;
            if (_vadRemainderLength < _vadRemainder.Length)
            {
                return;
            }

            G711.MuLawDecode(_vadRemainder, _pcm);
            _vadRemainderLength = 0;
            var vadEvent = _vad.Process(_pcm, _vadRemainderStart);
            if (vadEvent.Kind == VadEventKind.SpeechStarted)
            {
                _speechStartPosition = vadEvent.Position;
                _speechStartMs = MsOfCallerPosition(vadEvent.Position, arrivalEnd);
            }
            else if (vadEvent.Kind == VadEventKind.SpeechStopped && _speechStartPosition >= 0)
            {
                AddUserTurn(_speechStartPosition, vadEvent.Position, _speechStartMs, MsOfCallerPosition(vadEvent.Position, arrivalEnd));
                _speechStartPosition = -1;
            }
        }
    }

    /// <summary>When caller audio at <paramref name="position"/> arrived, given the newest arrived now.</summary>
    private long MsOfCallerPosition(long position, long newestArrived) =>
        NowMs - CallClock.SamplesToMs(Math.Max(0, newestArrived - position));

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
    }
}
