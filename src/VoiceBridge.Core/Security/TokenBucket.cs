namespace VoiceBridge.Security;

/// <summary>
/// A token bucket on the injected clock: <see cref="Burst"/> at once, refilled at
/// <see cref="PerSecond"/>. No timer: tokens are added when a take is tried. Not thread-safe;
/// each owner calls it from one loop or under its own lock.
/// </summary>
public sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private double _tokens;
    private long _at;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perSecond"/> or <paramref name="burst"/> is not positive.</exception>
    public TokenBucket(double perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentNullException.ThrowIfNull(time);
        PerSecond = perSecond;
        Burst = burst;
        _time = time;
        _tokens = burst;
        _at = time.GetTimestamp();
    }

    public double PerSecond { get; }

    public int Burst { get; }

    /// <summary>True when the bucket has refilled to <see cref="Burst"/> (its owner has been quiet).</summary>
    public bool IsFull
    {
        get
        {
            Refill();
            return _tokens >= Burst;
        }
    }

    /// <summary>Takes one token: true when there was one.</summary>
    public bool TryTake()
    {
        Refill();
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        _tokens = Math.Min(Burst, _tokens + (_time.GetElapsedTime(_at, now).TotalSeconds * PerSecond));
        _at = now;
    }
}
