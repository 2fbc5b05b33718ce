using VoiceBridge.Legs.Rtp;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Legs.Rtp;

/// <summary>
/// Packets of 10, 30, 60 ms cut into the jitter buffer's 20 ms frames: what comes out of the buffer,
/// played every 20 ms, is the sender's audio sample for sample, and a lost packet costs only the
/// frames it touched.
/// </summary>
public sealed class RtpReframerTests
{
    private const int Frame = JitterBuffer.FrameBytes;

    [Theory]
    [InlineData(80, 0u)]
    [InlineData(240, 0u)]
    [InlineData(480, 0u)]
    [InlineData(240, uint.MaxValue - 1000)]
    [InlineData(960, 12_345u)]
    public void Regular_packets_of_any_duration_play_out_sample_for_sample(int packetSamples, uint firstTimestamp)
    {
        var sent = Signal(packetSamples * 40);
        var played = Play(sent, packetSamples, firstTimestamp, lost: -1, swap: -1, out var reframer);

        var offset = Start(played);
        Assert.Equal(sent, played.AsSpan(offset, sent.Length).ToArray());
        Assert.Equal(0, reframer.PartialFrames);
    }

    [Fact]
    public void Two_packets_swapped_on_the_way_still_play_in_order()
    {
        var sent = Signal(80 * 60);
        var played = Play(sent, 80, 7u, lost: -1, swap: 21, out var reframer);

        Assert.Equal(sent, played.AsSpan(Start(played), sent.Length).ToArray());
        Assert.Equal(0, reframer.PartialFrames);
    }

    [Fact]
    public void A_lost_30_ms_packet_costs_only_the_frames_it_touched_and_their_other_halves_still_play()
    {
        const int packet = 240;
        const int lost = 10;
        var sent = Signal(packet * 40);
        var played = Play(sent, packet, 0u, lost, swap: -1, out var reframer);

        // The lost packet held samples 2400-2639: frame 15 (2400-2559) whole and the first half of
        // frame 16 (2560-2719), whose second half came in the next packet.
        var offset = Start(played);
        var touchedFrom = lost * packet / Frame * Frame;
        var touchedTo = ((((lost + 1) * packet) - 1) / Frame * Frame) + Frame;
        for (var i = 0; i < sent.Length; i++)
        {
            if (i < touchedFrom || i >= touchedTo)
            {
                Assert.True(sent[i] == played[offset + i], $"sample {i} of the sender played as {played[offset + i]}, not {sent[i]}");
            }
        }

        Assert.Equal(sent.AsSpan(2640, 80).ToArray(), played.AsSpan(offset + 2640, 80).ToArray());
        Assert.Equal(1, reframer.PartialFrames);
    }

    [Fact]
    public void The_last_half_frame_of_a_talk_spurt_goes_on_with_silence_after_it_instead_of_waiting_forever()
    {
        var sent = Signal(240 * 3);
        var played = Play(sent, 240, 0u, lost: -1, swap: -1, out var reframer);

        var offset = Start(played);
        Assert.Equal(sent, played.AsSpan(offset, sent.Length).ToArray());
        Assert.Equal(1, reframer.PartialFrames);
    }

    [Fact]
    public void A_packet_longer_than_120_ms_is_refused()
    {
        var reframer = new RtpReframer(new JitterBuffer(new JitterBufferOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => reframer.Add(0, new byte[RtpReframer.MaxPacketSamples + 1], 0));
    }

    /// <summary>
    /// Sends <paramref name="sent"/> in packets, one every packet's duration (with <paramref name="lost"/>
    /// dropped, and <paramref name="swap"/> arriving after the one behind it), while the buffer plays every
    /// 20 ms, on until a second after the last packet; returns all it played.
    /// </summary>
    private static byte[] Play(byte[] sent, int packetSamples, uint firstTimestamp, int lost, int swap, out RtpReframer reframer)
    {
        var buffer = new JitterBuffer(new JitterBufferOptions());
        reframer = new RtpReframer(buffer);
        var packets = sent.Length / packetSamples;
        var order = Enumerable.Range(0, packets).ToArray();
        if (swap >= 0)
        {
            (order[swap], order[swap + 1]) = (order[swap + 1], order[swap]);
        }

        var played = new List<byte>();
        var frame = new byte[Frame];
        var packetMs = packetSamples / 8;
        var next = 0;
        for (long nowMs = 0; nowMs < (packets * packetMs) + 1000; nowMs += 20)
        {
            while (next < packets && next * packetMs <= nowMs)
            {
                var p = order[next++];
                if (p != lost)
                {
                    reframer.Add(unchecked(firstTimestamp + (uint)(p * packetSamples)), sent.AsSpan(p * packetSamples, packetSamples), nowMs);
                }
            }

            reframer.Flush(nowMs);
            buffer.Pop(frame, nowMs);
            played.AddRange(frame);
        }

        return [.. played];
    }

    /// <summary>A signal with a period (251) no frame or packet length divides, never silence (0xFF).</summary>
    private static byte[] Signal(int samples) => [.. Enumerable.Range(0, samples).Select(i => (byte)(i % 251))];

    private static int Start(byte[] played) => Array.FindIndex(played, b => b != G711.MuLawSilence);
}
