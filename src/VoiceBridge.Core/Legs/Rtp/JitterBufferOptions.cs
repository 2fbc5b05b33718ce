namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// Settings of the inbound <see cref="JitterBuffer"/>. Delays are multiples of the 20 ms frame in
/// effect (the target is rounded up to whole frames); the defaults suit a phone call over the Internet.
/// </summary>
public sealed class JitterBufferOptions
{
    /// <summary>Lowest target delay, in ms. Default 20: one frame, enough on a clean LAN.</summary>
    public int MinDelayMs { get; set; } = 20;

    /// <summary>Highest target delay, in ms. Default 200: beyond that a conversation feels broken, so later packets are concealed instead.</summary>
    public int MaxDelayMs { get; set; } = 200;

    /// <summary>Target delay before any jitter has been measured, in ms. Default 40.</summary>
    public int StartDelayMs { get; set; } = 40;

    /// <summary>Slots in the ring, in packets (20 ms each). Default 64 (1.28 s); must hold the maximum delay with room for reordering.</summary>
    public int CapacityPackets { get; set; } = 64;

    /// <summary>Packets in the sliding window the delay percentile is taken over. Default 150 (3 s).</summary>
    public int WindowPackets { get; set; } = 150;

    /// <summary>The percentile of the window's relative delays the target covers. Default 0.95.</summary>
    public double DelayPercentile { get; set; } = 0.95;

    /// <summary>Packets the measured need must stay below the target before the target shrinks by one frame. Default 50 (1 s): grow fast, shrink slowly.</summary>
    public int DecayPackets { get; set; } = 50;

    /// <summary>Mean absolute linear sample value under which a frame counts as quiet, where a drift correction is least audible. Default 400 (about -38 dBFS).</summary>
    public int QuietLevel { get; set; } = 400;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        Require(MinDelayMs >= 0, nameof(MinDelayMs), "must be 0 or more");
        Require(MaxDelayMs >= MinDelayMs, nameof(MaxDelayMs), $"must be at least {nameof(MinDelayMs)} ({MinDelayMs})");
        Require(StartDelayMs >= MinDelayMs && StartDelayMs <= MaxDelayMs, nameof(StartDelayMs), $"must lie within {MinDelayMs}-{MaxDelayMs}");
        Require(CapacityPackets >= 8 && CapacityPackets <= 4096, nameof(CapacityPackets), "must lie within 8-4096");
        Require(CapacityPackets * 20 >= MaxDelayMs * 2, nameof(CapacityPackets), $"must hold twice {nameof(MaxDelayMs)} ({MaxDelayMs} ms) of 20 ms packets");
        Require(WindowPackets >= 10 && WindowPackets <= 10_000, nameof(WindowPackets), "must lie within 10-10000");
        Require(DelayPercentile > 0 && DelayPercentile <= 1, nameof(DelayPercentile), "must lie within (0, 1]");
        Require(DecayPackets >= 1, nameof(DecayPackets), "must be 1 or more");
        Require(QuietLevel >= 0, nameof(QuietLevel), "must be 0 or more");
    }

    private static void Require(bool condition, string key, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"JitterBuffer:{key} {message}", key);
        }
    }
}
