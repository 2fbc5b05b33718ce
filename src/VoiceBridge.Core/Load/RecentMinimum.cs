namespace VoiceBridge.Load;

/// <summary>The smallest value recorded in the current second and the two before it: three one-second buckets.</summary>
internal struct RecentMinimum
{
    private bool _started;
    private long _second;
    private long _current;
    private long _previous;
    private long _beforePrevious;

    /// <summary>Records <paramref name="value"/> at <paramref name="nowMicros"/>; the minimum of the window, this value included.</summary>
    public long Record(long value, long nowMicros)
    {
        var second = nowMicros / 1_000_000;
        if (!_started || second - _second >= 3)
        {
            (_beforePrevious, _previous, _current) = (long.MaxValue, long.MaxValue, long.MaxValue);
        }
        else if (second - _second == 2)
        {
            (_beforePrevious, _previous, _current) = (_current, long.MaxValue, long.MaxValue);
        }
        else if (second - _second == 1)
        {
            (_beforePrevious, _previous, _current) = (_previous, _current, long.MaxValue);
        }

        _started = true;
        _second = Math.Max(_second, second);
        _current = Math.Min(_current, value);
        return Math.Min(_current, Math.Min(_previous, _beforePrevious));
    }
}
