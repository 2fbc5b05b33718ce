using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Tests.Legs.Rtp;

public sealed class RtpReceiverStatisticsTests
{
    [Fact]
    public void Jitter_follows_rfc_3550_a8_on_a_known_sequence()
    {
        // Transit 1000, 1010, 990, 1020: |D| = 10, 20, 30. In 1/16 steps: J16 = 10, 29, 57; J = 57 >> 4 = 3.
        var statistics = new RtpReceiverStatistics();
        (uint Ts, long Arrival)[] packets = [(0, 1000), (160, 1170), (320, 1310), (480, 1500)];
        double reference = 0;
        long? previous = null;
        for (int i = 0; i < packets.Length; i++)
        {
            statistics.OnPacket((ushort)i, packets[i].Ts, packets[i].Arrival);
            long transit = packets[i].Arrival - packets[i].Ts;
            if (previous is { } p)
            {
                reference += (Math.Abs(transit - p) - reference) / 16;
            }

            previous = transit;
        }

        Assert.Equal(3u, statistics.Jitter);
        Assert.Equal((uint)reference, statistics.Jitter); // 3.596 in floating point
    }

    [Fact]
    public void Constant_transit_has_no_jitter_even_across_timestamp_wrap()
    {
        var statistics = new RtpReceiverStatistics();
        for (int i = 0; i < 100; i++)
        {
            uint ts = 0xFFFF_F000 + (uint)(i * 160);
            statistics.OnPacket((ushort)i, ts, 5_000_000L + (i * 160));
        }

        Assert.Equal(0u, statistics.Jitter);
    }

    [Fact]
    public void Loss_and_extended_sequence_across_the_wrap()
    {
        var statistics = new RtpReceiverStatistics();
        for (int i = 0; i < 20; i++)
        {
            if (i is not (3 or 12))
            {
                statistics.OnPacket((ushort)(65530 + i), (uint)(i * 160), i * 160);
            }
        }

        Assert.Equal(65536UL + 13, statistics.ExtendedHighestSequence);
        Assert.Equal(20, statistics.Expected);
        Assert.Equal(18, statistics.Received);
        Assert.Equal(2, statistics.CumulativeLost);
        Assert.Equal(25, statistics.FractionLostSinceLastReport()); // 2/20 * 256
        Assert.Equal(0, statistics.FractionLostSinceLastReport()); // a new interval with nothing in it
    }

    [Fact]
    public void Duplicates_count_and_can_make_loss_negative()
    {
        var statistics = new RtpReceiverStatistics();
        statistics.OnPacket(1, 0, 0);
        statistics.OnPacket(2, 160, 160);
        statistics.OnPacket(2, 160, 170);
        statistics.OnPacket(3, 320, 320);
        statistics.OnPacket(1, 0, 400);

        Assert.Equal(2, statistics.Duplicates);
        Assert.Equal(5, statistics.Received);
        Assert.Equal(-2, statistics.CumulativeLost);
    }

    [Fact]
    public void Reordered_packets_are_not_loss()
    {
        var statistics = new RtpReceiverStatistics();
        foreach (ushort seq in new ushort[] { 1, 3, 2, 4 })
        {
            statistics.OnPacket(seq, (uint)(seq * 160), seq * 160);
        }

        Assert.Equal(0, statistics.CumulativeLost);
        Assert.Equal(4UL, statistics.ExtendedHighestSequence);
    }

    [Fact]
    public void A_sequence_jump_restarts_after_two_packets_in_a_row()
    {
        var statistics = new RtpReceiverStatistics();
        statistics.OnPacket(100, 0, 0);
        statistics.OnPacket(101, 160, 160);
        statistics.OnPacket(30000, 320, 320);

        Assert.Equal(1, statistics.Ignored);
        Assert.Equal(101UL, statistics.ExtendedHighestSequence);

        statistics.OnPacket(30001, 480, 480);

        Assert.Equal(30001UL, statistics.ExtendedHighestSequence);
        Assert.Equal(1, statistics.Received);
        Assert.Equal(0, statistics.CumulativeLost);
    }

    [Fact]
    public void A_new_ssrc_starts_over()
    {
        var statistics = new RtpReceiverStatistics();
        statistics.OnPacket(1, 10, 0, 0);
        statistics.OnPacket(1, 20, 160, 160);
        statistics.OnPacket(2, 5000, 0, 320);

        Assert.Equal(2u, statistics.SourceSsrc);
        Assert.Equal(1, statistics.Received);
        Assert.Equal(5000UL, statistics.ExtendedHighestSequence);
    }
}
