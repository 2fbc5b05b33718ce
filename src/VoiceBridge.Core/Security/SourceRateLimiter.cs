using System.Net;

namespace VoiceBridge.Security;

/// <summary>
/// A <see cref="TokenBucket"/> per source address: each source may send <see cref="Burst"/> requests
/// at once, refilled at <see cref="PerSecond"/>. The table is bounded (<see cref="MaxSources"/>):
/// buckets of quiet sources are forgotten first (at most one sweep a second), and past the bound a
/// new source shares one overflow bucket, so a spoofed-source flood cannot grow memory. Not
/// thread-safe: the SIP endpoint calls it under its own lock.
/// </summary>
public sealed class SourceRateLimiter
{
    /// <summary>The most sources tracked one by one.</summary>
    public const int MaxSources = 10_000;

    private readonly TimeProvider _time;
    private readonly Dictionary<IPAddress, TokenBucket> _buckets = [];
    private readonly TokenBucket _overflow;
    private long _lastSweep;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perSecond"/> or <paramref name="burst"/> is not positive.</exception>
    public SourceRateLimiter(double perSecond, int burst, TimeProvider time)
    {
        _overflow = new TokenBucket(perSecond, burst, time);
        PerSecond = perSecond;
        Burst = burst;
        _time = time;
        _lastSweep = time.GetTimestamp();
    }

    public double PerSecond { get; }

    public int Burst { get; }

    /// <summary>Sources tracked one by one now (the table stays bounded).</summary>
    public int Sources => _buckets.Count;

    /// <summary>True when <paramref name="source"/> may send one more request now (and takes a token).</summary>
    public bool TryTake(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!_buckets.TryGetValue(source, out TokenBucket? bucket))
        {
            long now = _time.GetTimestamp();
            if (_buckets.Count >= MaxSources && _time.GetElapsedTime(_lastSweep, now) >= TimeSpan.FromSeconds(1))
            {
                _lastSweep = now;
                foreach (IPAddress quiet in _buckets.Where(b => b.Value.IsFull).Select(b => b.Key).ToList())
                {
                    _buckets.Remove(quiet);
                }
            }

            if (_buckets.Count < MaxSources)
            {
                bucket = new TokenBucket(PerSecond, Burst, _time);
                _buckets[source] = bucket;
            }
            else
            {
                bucket = _overflow;
            }
        }

        return bucket.TryTake();
    }
}
