namespace VoiceBridge.Media;

/// <summary>
/// Converts a whole mono recording, fed in chunks, to exactly <c>callSamples</c> samples at the call rate:
/// the resampler's group delay is dropped from the front and its tail flushed with silence, so an event
/// at source time t lands at call sample t * 8000 / sourceRate.
/// </summary>
internal sealed class CallRateConverter
{
    private readonly Resampler _resampler;
    private readonly short[] _result;
    private readonly short[] _scratch;
    private readonly int _maxChunk;
    private int _delayLeft;
    private int _count;

    /// <exception cref="ArgumentOutOfRangeException">The resampler cannot handle <paramref name="sourceRate"/>.</exception>
    public CallRateConverter(int sourceRate, long callSamples, int maxChunk)
    {
        _resampler = new Resampler(sourceRate, CallClock.SampleRate);
        _result = new short[checked((int)callSamples)];
        _scratch = new short[_resampler.MaxOutputFor(maxChunk)];
        _maxChunk = maxChunk;
        _delayLeft = _resampler.DelaySamplesOut;
    }

    /// <summary>Feeds up to maxChunk source samples.</summary>
    public void Add(ReadOnlySpan<short> source)
    {
        var produced = _scratch.AsSpan(0, _resampler.Process(source, _scratch));
        int skip = Math.Min(_delayLeft, produced.Length);
        _delayLeft -= skip;
        produced = produced[skip..];
        int take = Math.Min(produced.Length, _result.Length - _count);
        produced[..take].CopyTo(_result.AsSpan(_count));
        _count += take;
    }

    /// <summary>Flushes the filter's tail and returns the call-rate samples.</summary>
    public short[] Finish()
    {
        var silence = new short[_maxChunk];
        while (_count < _result.Length)
        {
            Add(silence);
        }

        return _result;
    }
}
