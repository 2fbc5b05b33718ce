using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Tests.Legs.Rtp;

/// <summary>The RTP leg's clock: which 20 ms ticks have come when its timer fires.</summary>
public sealed class RtpPacingTests
{
    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(19.7, 1)]
    [InlineData(20.0, 1)]
    [InlineData(20.4, 1)]
    [InlineData(39.9, 2)]
    [InlineData(70.0, 4)]
    public void A_tick_a_little_early_or_late_counts_as_come(double elapsedMs, long due) =>
        Assert.Equal(due, RtpCallLeg.FramesDue(TimeSpan.FromMilliseconds(elapsedMs)));

    /// <summary>
    /// Timers fire a fraction of a millisecond either side of their period (measured on the wire: with
    /// the due count rounded down, 6-18 % of packets went out in pairs, 20 ms late). Every tick of a
    /// timer jittering by up to +-2 ms sends exactly one packet.
    /// </summary>
    [Fact]
    public void A_jittering_timer_sends_one_packet_every_tick()
    {
        var random = new Random(9);
        long sent = 0;
        for (var tick = 1; tick <= 5_000; tick++)
        {
            var firedAtMs = (tick * 20.0) + ((random.NextDouble() * 4) - 2);
            var due = RtpCallLeg.FramesDue(TimeSpan.FromMilliseconds(firedAtMs));
            Assert.Equal(1, due - sent);
            sent = due;
        }
    }
}
