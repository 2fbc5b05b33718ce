namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// The target delay: over a sliding window of packets, each packet's transit (arrival minus timestamp,
/// whose constant offset cancels out) relative to the fastest one; the configured percentile of those,
/// rounded up to frames, plus one frame for the 20 ms granularity of playout.
/// </summary>
public sealed partial class JitterBuffer
{
    private readonly long[] _window;
    private readonly int[] _histogram;
    private readonly int _decayPackets;
    private readonly double _percentile;
    private int _windowCount;
    private int _windowIndex;
    private long _minRelative;
    private int _targetMs;
    private int _belowTarget;

    private void ClearDelayEstimate()
    {
        _windowCount = 0;
        _windowIndex = 0;
        _minRelative = 0;
        _targetMs = _startDelayMs;
        _belowTarget = 0;
        _currentDelayMs = 0;
    }

    private void AddDelaySample(long relative)
    {
        _window[_windowIndex] = relative;
        _windowIndex = (_windowIndex + 1) % _window.Length;
        _windowCount = Math.Min(_windowCount + 1, _window.Length);
        long min = long.MaxValue;
        for (int i = 0; i < _windowCount; i++)
        {
            min = Math.Min(min, _window[i]);
        }

        _minRelative = min;
        Array.Clear(_histogram);
        for (int i = 0; i < _windowCount; i++)
        {
            long frames = (_window[i] - min + FrameBytes - 1) / FrameBytes;
            _histogram[(int)Math.Min(frames, _histogram.Length - 1)]++;
        }

        int needed = (int)Math.Ceiling(_percentile * _windowCount);
        int frameCount = 0;
        for (int seen = _histogram[0]; seen < needed; seen += _histogram[frameCount])
        {
            frameCount++;
        }

        int wanted = Math.Clamp((frameCount + 1) * FrameMs, _minDelayMs, _maxDelayMs);
        if (wanted > _targetMs)
        {
            _targetMs = wanted;
            _belowTarget = 0;
        }
        else if (wanted < _targetMs && ++_belowTarget >= _decayPackets)
        {
            _targetMs = Math.Max(_targetMs - FrameMs, _minDelayMs);
            _belowTarget = 0;
        }
        else if (wanted == _targetMs)
        {
            _belowTarget = 0;
        }
    }
}
