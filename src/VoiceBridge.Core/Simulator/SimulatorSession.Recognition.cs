using VoiceBridge.Media;

namespace VoiceBridge.Simulator;

internal sealed partial class SimulatorSession
{
    /// <summary>The most caller audio kept for recognising one turn; older audio (the silence before it) goes first.</summary>
    private const int MaxTurnSamples = 20 * CallClock.SampleRate;

    private short[] _turnPcm = [];
    private int _turnLength;

    /// <summary>Keeps a decoded frame of the uncommitted turn, for <see cref="TranscriptOfTurn"/>; nothing when there is no recogniser.</summary>
    private void KeepForRecognition(ReadOnlySpan<short> frame)
    {
        if (_simulator.Options.Recognizer is null)
        {
            return;
        }

        if (_turnLength + frame.Length > MaxTurnSamples)
        {
            var drop = _turnLength + frame.Length - MaxTurnSamples;
            _turnPcm.AsSpan(drop, _turnLength - drop).CopyTo(_turnPcm);
            _turnLength -= drop;
        }

        if (_turnLength + frame.Length > _turnPcm.Length)
        {
            Array.Resize(ref _turnPcm, Math.Min(MaxTurnSamples, Math.Max(_turnPcm.Length * 2, 2 * CallClock.SampleRate)));
        }

        frame.CopyTo(_turnPcm.AsSpan(_turnLength));
        _turnLength += frame.Length;
    }

    /// <summary>The audio buffer was committed or cleared: the next turn starts empty.</summary>
    private void ForgetTurnAudio() => _turnLength = 0;

    /// <summary>
    /// The words of the turn being committed: the harness's next line for this call when it gave
    /// any (a manifest), else what <see cref="SimulatorOptions.Recognizer"/> makes of its audio.
    /// </summary>
    private string TranscriptOfTurn()
    {
        var transcript = _simulator.NextTranscript(_record.CallId)
            ?? _simulator.Options.Recognizer?.Recognize(_turnPcm.AsSpan(0, _turnLength))
            ?? "";
        ForgetTurnAudio();
        return transcript;
    }
}
