namespace VoiceBridge.Media;

/// <summary>
/// Converts a whole mono recording, fed in chunks, to exactly <c>callSamples</c> samples at the call rate:
/// the resampler's group delay is dropped from the front and its tail flushed with silence, so an event
/// at source time t lands at call sample t * 8000 / sourceRate. The result grows as audio comes, so a
/// header that claims more audio than its file holds costs no memory before the loader finds it out.
/// </summary>
internal sealed class CallRateConverter
{
    private const int InitialSamples = 64 * 1024;

    private readonly Resampler _resampler;
    private readonly short[] _scratch;
    private readonly int _maxChunk;
    private int _callSamples;
    private short[] _result;
    private int _delayLeft;
    private int _count;

    /// <exception cref="ArgumentOutOfRangeException">The resampler cannot handle <paramref name="sourceRate"/>.</exception>
    public CallRateConverter(int sourceRate, long callSamples, int maxChunk)
    {
        _resampler = new Resampler(sourceRate, CallClock.SampleRate);
        _callSamples = checked((int)callSamples);
        _result = new short[Math.Min(_callSamples, InitialSamples)];
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
        int take = Math.Min(produced.Length, _callSamples - _count);
        if (_count + take > _result.Length)
        {
            Array.Resize(ref _result, (int)Math.Min(_callSamples, Math.Max(_count + take, 2L * _result.Length)));
        }

        produced[..take].CopyTo(_result.AsSpan(_count));
        _count += take;
    }

    /// <summary>
    /// Ends the result at <paramref name="callSamples"/> when that is fewer than the count it was made
    /// for: a decoder that learns the real length only by decoding (Ogg Vorbis, whose last granule
    /// position may claim more) makes the converter with an upper bound and ends it here.
    /// </summary>
    public void EndAt(long callSamples)
    {
        _callSamples = (int)Math.Min(_callSamples, callSamples);
        _count = Math.Min(_count, _callSamples);
    }

    /// <summary>Flushes the filter's tail and returns the call-rate samples.</summary>
    public short[] Finish()
    {
        var silence = new short[_maxChunk];
        while (_count < _callSamples)
        {
            Add(silence);
        }

        if (_result.Length != _count)
        {
            Array.Resize(ref _result, _count);
        }

        return _result;
    }
}
