using VoiceBridge.Legs.Rtp;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Legs.Rtp;

public sealed class JitterBufferTests
{
    private static List<int> Played(IEnumerable<JitterSimulation.Output> outputs) =>
        [.. outputs.Where(o => o.Kind == JitterFrameKind.Normal).Select(o => o.Tag!.Value)];

    [Fact]
    public void In_order_stream_plays_every_frame_once_after_the_start_delay()
    {
        var sim = new JitterSimulation();
        sim.AddStream(100, 1000, 5000, i => 20L * i);

        var outputs = sim.Run(2200);

        Assert.Equal(Enumerable.Range(1000, 100), Played(outputs));
        JitterSimulation.Output first = outputs.First(o => o.Kind == JitterFrameKind.Normal);
        Assert.InRange(first.AtMs, 20, 40);
        Assert.All(outputs.TakeWhile(o => o.Kind != JitterFrameKind.Normal), o => Assert.Equal(JitterFrameKind.Silence, o.Kind));
        JitterBufferStats stats = outputs.Last(o => o.Kind == JitterFrameKind.Normal).Stats;
        Assert.Equal(0, stats.ConcealedMs);
        Assert.Equal(0, stats.LatePackets + stats.DiscardedPackets + stats.DroppedForDrift);
        Assert.Equal(100, sim.Buffer.Stats.ConcealedMs); // the stream ended: the last frame fades out, then silence
        Assert.Equal(JitterFrameKind.Silence, outputs[^1].Kind);
        Assert.All(sim.InsertResults, r => Assert.Equal(JitterInsertResult.Inserted, r));
    }

    [Fact]
    public void Target_settles_to_the_minimum_on_a_clean_network()
    {
        var sim = new JitterSimulation();
        sim.AddStream(300, 1, 0, i => 20L * i);

        var outputs = sim.Run(6000);

        Assert.Equal(20, outputs[^1].Stats.TargetDelayMs);
        Assert.InRange(outputs.Last(o => o.Kind == JitterFrameKind.Normal).Stats.CurrentDelayMs, 0, 40);
    }

    [Fact]
    public void Reordered_packets_within_the_delay_play_in_order()
    {
        var sim = new JitterSimulation();
        sim.AddStream(50, 7, 0, i => (20L * i) + (i % 2 == 0 ? 25 : 0)); // every even packet overtaken by the odd one after it

        var outputs = sim.Run(1200);

        Assert.Equal(Enumerable.Range(7, 50), Played(outputs));
        Assert.True(sim.Buffer.Stats.ReorderedPackets >= 20);
        Assert.Equal(0, outputs.Last(o => o.Kind == JitterFrameKind.Normal).Stats.ConcealedMs);
    }

    [Fact]
    public void Duplicates_are_dropped_before_and_after_playout()
    {
        var sim = new JitterSimulation();
        sim.AddStream(20, 100, 0, i => 20L * i);
        sim.Add(62, 103, 480); // again while stored
        sim.Add(300, 104, 640); // again after it was played

        var outputs = sim.Run(600);

        Assert.Equal(Enumerable.Range(100, 20), Played(outputs));
        Assert.Equal(2, sim.Buffer.Stats.DuplicatePackets);
        Assert.Equal(2, sim.InsertResults.Count(r => r == JitterInsertResult.Duplicate));
    }

    [Fact]
    public void A_lost_packet_is_concealed_by_one_frame()
    {
        var sim = new JitterSimulation();
        sim.AddStream(40, 0, 0, i => 20L * i);
        sim.AddStream(40, 41, 41 * 160, i => 20L * (i + 41)); // 40 is lost

        var outputs = sim.Run(1800);

        var played = Played(outputs);
        Assert.Equal(Enumerable.Range(0, 40).Concat(Enumerable.Range(41, 40)), played);
        int gap = outputs.FindIndex(o => o.Tag == 41) - outputs.FindIndex(o => o.Tag == 39);
        Assert.Equal(2, gap);
        Assert.Equal(JitterFrameKind.Concealed, outputs[outputs.FindIndex(o => o.Tag == 39) + 1].Kind);
        Assert.Equal(20, outputs.Last(o => o.Kind == JitterFrameKind.Normal).Stats.ConcealedMs);
    }

    [Fact]
    public void A_packet_after_its_play_time_is_counted_late_and_dropped()
    {
        var sim = new JitterSimulation();
        sim.AddStream(30, 0, 0, i => i == 10 ? 400 : 20L * i);

        var outputs = sim.Run(800);

        Assert.DoesNotContain(10, Played(outputs));
        Assert.Equal(29, Played(outputs).Count);
        Assert.Equal(JitterInsertResult.TooLate, sim.InsertResults[19]);
        Assert.Equal(1, sim.Buffer.Stats.LatePackets);
        Assert.Equal(1, sim.Buffer.Stats.DiscardedPackets);
    }

    [Fact]
    public void Sequence_wrap_at_65535_keeps_order()
    {
        var sim = new JitterSimulation();
        sim.AddStream(40, 65520, 1000, i => (20L * i) + (i == 16 ? 25 : 0)); // 0 arrives after 1

        var outputs = sim.Run(1000);

        int[] expected = [.. Enumerable.Range(0, 40).Select(i => (65520 + i) & 0xFFFF)];
        Assert.Equal(expected, Played(outputs));
    }

    [Fact]
    public void Timestamp_wrap_keeps_the_schedule()
    {
        var sim = new JitterSimulation();
        sim.AddStream(60, 10, 0xFFFF_FF00 - (20 * 160), i => 20L * i);

        var outputs = sim.Run(1400);

        Assert.Equal(Enumerable.Range(10, 60), Played(outputs));
        JitterBufferStats stats = outputs.Last(o => o.Kind == JitterFrameKind.Normal).Stats;
        Assert.Equal(0, stats.ConcealedMs + stats.Resets + stats.DroppedForDrift);
    }

    [Fact]
    public void Sustained_jitter_raises_the_target_then_it_decays()
    {
        var random = new Random(30);
        long[] jitter = [.. Enumerable.Range(0, 1000).Select(i => i < 500 ? (long)random.Next(0, 31) : 0)];
        var sim = new JitterSimulation();
        sim.AddStream(1000, 0, 0, i => (20L * i) + jitter[i], i => i % 100 < 70);

        var outputs = sim.Run(20_100);

        JitterSimulation.Output atTenSeconds = outputs.Last(o => o.AtMs <= 10_000);
        Assert.InRange(atTenSeconds.Stats.TargetDelayMs, 40, 80);
        Assert.True(atTenSeconds.Stats.LatePackets <= 10, $"late {atTenSeconds.Stats.LatePackets}");
        Assert.Equal(20, outputs[^1].Stats.TargetDelayMs);
        Assert.InRange(outputs.Last(o => o.Kind == JitterFrameKind.Normal).Stats.CurrentDelayMs, 0, 40);
        var played = Played(outputs);
        Assert.Equal(played.Distinct().Count(), played.Count);
        Assert.True(played.Count >= 980, $"played {played.Count}");
    }

    [Theory]
    [InlineData(1.005)]
    [InlineData(0.995)]
    public void Sender_clock_drift_keeps_the_delay_bounded(double senderSpeed)
    {
        // Three seconds of speech, one of quiet, repeated: corrections should land in the quiet.
        var sim = new JitterSimulation();
        sim.AddStream(3000, 0, 0, i => (long)(20.0 * i / senderSpeed), i => i % 200 < 150);

        var outputs = sim.Run((long)(3000 * 20 / senderSpeed) + 200);

        JitterBufferStats stats = outputs.Last(o => o.Kind == JitterFrameKind.Normal).Stats;
        var delays = outputs.Where(o => o.Kind == JitterFrameKind.Normal).Skip(50).Select(o => o.Stats.CurrentDelayMs).ToList();
        Assert.InRange(delays.Max(), 0, 80);
        var played = Played(outputs);
        Assert.Equal(played.Distinct().Count(), played.Count);
        if (senderSpeed > 1)
        {
            Assert.InRange(stats.DroppedForDrift, 10, 30); // 15 s at 0.5% is 15 frames too many
        }
        else
        {
            Assert.InRange(stats.InsertedForDrift + stats.UnderrunFrames, 10, 30);
            Assert.Equal(stats.ConcealedMs, (stats.InsertedForDrift + stats.UnderrunFrames) * 20);
            Assert.Equal(0, stats.LatePackets);
        }
    }

    [Fact]
    public void Burst_loss_concealment_fades_to_silence()
    {
        var sim = new JitterSimulation();
        sim.AddStream(20, 0, 0, i => 20L * i);
        sim.AddStream(10, 30, 30 * 160, i => 20L * (i + 30)); // 20-29 lost

        var outputs = sim.Run(900);

        int last = outputs.FindIndex(o => o.Tag == 19);
        int[] levels = [.. outputs.Skip(last).Take(10).Select(o => JitterSimulation.MeanLevel(o.Frame))];
        Assert.All(outputs.Skip(last + 1).Take(5), o => Assert.Equal(JitterFrameKind.Concealed, o.Kind));
        for (int i = 1; i <= 5; i++)
        {
            Assert.True(levels[i] < levels[i - 1], $"frame {i} level {levels[i]} not below {levels[i - 1]}");
        }

        Assert.All(outputs.Skip(last + 6).Take(5), o => Assert.All(o.Frame, b => Assert.Equal(G711.MuLawSilence, b)));
        // A loss and a sender gap look alike until the next packet: 100 ms of fade, then silence, then
        // the stream picks up on its old schedule (within the one-frame tolerance either way).
        JitterSimulation.Output resumed = outputs.First(o => o.Tag == 30);
        Assert.InRange(resumed.AtMs, outputs[last].AtMs + 200, outputs[last].AtMs + 240);
        Assert.InRange(resumed.Stats.ConcealedMs, 100, 140);
    }

    [Fact]
    public void A_sender_restart_resets_onto_the_new_stream()
    {
        var sim = new JitterSimulation();
        sim.AddStream(20, 100, 0, i => 20L * i);
        sim.AddStream(20, 40000, 123456789, i => 400 + (20L * i));

        var outputs = sim.Run(1000);

        Assert.Equal(Enumerable.Range(100, 20).Concat(Enumerable.Range(40000, 20)), Played(outputs));
        Assert.Equal(JitterInsertResult.Held, sim.InsertResults[20]);
        Assert.Equal(JitterInsertResult.Reset, sim.InsertResults[21]);
        Assert.Equal(1, sim.Buffer.Stats.Resets);
    }

    [Fact]
    public void A_stray_jump_is_held_then_dropped()
    {
        var sim = new JitterSimulation();
        sim.AddStream(30, 100, 0, i => 20L * i);
        sim.Add(205, 9000, 1_000_000);

        var outputs = sim.Run(800);

        Assert.Equal(Enumerable.Range(100, 30), Played(outputs));
        Assert.Contains(JitterInsertResult.Held, sim.InsertResults);
        Assert.Equal(0, sim.Buffer.Stats.Resets);
        Assert.Equal(1, sim.Buffer.Stats.DiscardedPackets);
    }

    [Fact]
    public void A_timestamp_jump_after_a_pause_without_one_resets()
    {
        var sim = new JitterSimulation();
        sim.AddStream(20, 0, 0, i => 20L * i);
        sim.AddStream(20, 20, 20 * 160, i => 10_000 + (20L * i)); // ten seconds of nothing, timestamps carry on

        var outputs = sim.Run(10_600);

        Assert.Equal(Enumerable.Range(0, 40), Played(outputs));
        Assert.Equal(1, sim.Buffer.Stats.Resets);
    }

    [Fact]
    public void A_new_talkspurt_after_silence_suppression_rebuffers()
    {
        var sim = new JitterSimulation();
        sim.AddStream(20, 0, 0, i => 20L * i);
        sim.AddStream(20, 20, 2400 * 8, i => 2400 + (20L * i)); // the sender was silent for 2 s, timestamps jumped with it

        var outputs = sim.Run(3000);

        Assert.Equal(Enumerable.Range(0, 40), Played(outputs));
        JitterSimulation.Output resumed = outputs.First(o => o.Tag == 20);
        Assert.InRange(resumed.AtMs, 2400, 2440);
        Assert.Equal(0, sim.Buffer.Stats.Resets);
        Assert.Equal(100, resumed.Stats.ConcealedMs); // the fade at the end of the first talkspurt
    }

    [Fact]
    public void Wrong_sized_payloads_are_refused()
    {
        var buffer = new JitterBuffer(new JitterBufferOptions());

        Assert.Equal(JitterInsertResult.BadSize, buffer.Insert(1, 160, new byte[240], 0));
        Assert.Equal(1, buffer.Stats.DiscardedPackets);
    }

    [Fact]
    public void Pop_before_any_packet_is_silence()
    {
        var buffer = new JitterBuffer(new JitterBufferOptions());
        var frame = new byte[200];

        Assert.Equal(JitterFrameKind.Silence, buffer.Pop(frame, 0));
        Assert.All(frame.Take(160), b => Assert.Equal(G711.MuLawSilence, b));
        Assert.Throws<ArgumentException>(() => buffer.Pop(new byte[100], 20));
    }

    [Theory]
    [InlineData(nameof(JitterBufferOptions.MaxDelayMs), 10)]
    [InlineData(nameof(JitterBufferOptions.StartDelayMs), 500)]
    [InlineData(nameof(JitterBufferOptions.CapacityPackets), 12)]
    [InlineData(nameof(JitterBufferOptions.WindowPackets), 1)]
    public void Options_out_of_range_name_the_key(string key, int value)
    {
        var options = new JitterBufferOptions();
        typeof(JitterBufferOptions).GetProperty(key)!.SetValue(options, value);

        ArgumentException error = Assert.Throws<ArgumentException>(() => new JitterBuffer(options));

        Assert.Contains($"JitterBuffer:{key}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Insert_and_pop_do_not_allocate()
    {
        var buffer = new JitterBuffer(new JitterBufferOptions());
        byte[] payload = JitterSimulation.Frame(1);
        var frame = new byte[160];
        for (int i = 0; i < 100; i++)
        {
            buffer.Insert((ushort)i, (uint)(i * 160), payload, i * 20);
            buffer.Pop(frame, (i * 20) + 10);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 100; i < 2000; i++)
        {
            if (i % 7 != 0)
            {
                buffer.Insert((ushort)i, (uint)(i * 160), payload, (i * 20) + (i % 3 * 11));
            }

            buffer.Pop(frame, (i * 20) + 10);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
