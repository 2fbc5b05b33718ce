namespace VoiceBridge.Media;

/// <summary>
/// <see cref="EnergyVad"/> over a mu-law stream delivered in chunks of any size: it assembles
/// whole 20 ms frames with their call positions and reports each speech start and stop.
/// </summary>
public sealed class MuLawVad(VadOptions options)
{
    private readonly EnergyVad _vad = new(options);
    private readonly byte[] _frame = new byte[CallClock.FrameSamples];
    private readonly short[] _pcm = new short[CallClock.FrameSamples];
    private int _filled;
    private long _frameStart;

    public bool InSpeech => _vad.InSpeech;

    /// <summary>Ends the current utterance now if it is trailing off (see <see cref="EnergyVad.EndUtterance"/>).</summary>
    public void EndUtterance(int minTrailingSilenceMs, Action<VadEvent> onEvent)
    {
        var vadEvent = _vad.EndUtterance(minTrailingSilenceMs);
        if (vadEvent.Kind != VadEventKind.None)
        {
            onEvent(vadEvent);
        }
    }

    /// <summary>Feeds audio starting at call position <paramref name="position"/>; <paramref name="onEvent"/> gets each start or stop.</summary>
    public void Process(long position, ReadOnlySpan<byte> mulaw, Action<VadEvent> onEvent)
    {
        while (!mulaw.IsEmpty)
        {
            if (_filled == 0)
            {
                _frameStart = position;
            }

            var n = Math.Min(mulaw.Length, _frame.Length - _filled);
            mulaw[..n].CopyTo(_frame.AsSpan(_filled));
            _filled += n;
            mulaw = mulaw[n..];
            position += n;
            if (_filled < _frame.Length)
            {
                return;
            }

            _filled = 0;
            G711.MuLawDecode(_frame, _pcm);
            var vadEvent = _vad.Process(_pcm, _frameStart);
            if (vadEvent.Kind != VadEventKind.None)
            {
                onEvent(vadEvent);
            }
        }
    }
}
