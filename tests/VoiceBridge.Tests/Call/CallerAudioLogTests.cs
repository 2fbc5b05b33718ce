using VoiceBridge.Call;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Call;

public sealed class CallerAudioLogTests
{
    private const int Frame = CallClock.FrameSamples;

    [Fact]
    public void Capacity_below_one_frame_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CallerAudioLog(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(Frame, new CallerAudioLog(TimeSpan.FromMilliseconds(20)).CapacitySamples);
    }

    [Fact]
    public void Appended_audio_reads_back_at_its_positions()
    {
        var log = new CallerAudioLog(TimeSpan.FromSeconds(1));
        var audio = TestAudio.Pattern(500);

        log.Append(0, audio.AsSpan(0, 160));
        log.Append(160, audio.AsSpan(160, 340));

        Assert.Equal((0L, 500L), (log.Start, log.End));
        Assert.Equal(audio[100..450], ReadAll(log, 100, 350));
    }

    [Fact]
    public void Positions_and_bytes_stay_true_across_many_ring_wrap_arounds()
    {
        // 40 ms = 320 samples of ring; 23 appends of 97 samples wrap it about 7 times at odd offsets.
        var log = new CallerAudioLog(TimeSpan.FromMilliseconds(40));
        var audio = TestAudio.Pattern(97 * 23, seed: 5);
        for (var i = 0; i < 23; i++)
        {
            log.Append(i * 97, audio.AsSpan(i * 97, 97));
            log.Acknowledge(log.End - 200);

            Assert.Equal(Math.Max(0, log.End - 200), log.Start);
            Assert.Equal(audio[(int)log.Start..(int)log.End], ReadAll(log, log.Start, 400));
        }

        Assert.Equal(97L * 23, log.End);
        Assert.Equal(0, log.LostSamples);
    }

    [Fact]
    public void Read_straddling_the_ring_end_returns_both_runs_in_order()
    {
        var log = new CallerAudioLog(TimeSpan.FromMilliseconds(40)); // 320
        var audio = TestAudio.Pattern(600, seed: 2);
        log.Append(0, audio.AsSpan(0, 300));
        log.Acknowledge(280);
        log.Append(300, audio.AsSpan(300, 300)); // ring indices 300..319 then 0..279

        Assert.Equal(audio[280..600], ReadAll(log, 280, 320));
        Assert.Equal(audio[310..330], ReadAll(log, 310, 20));
    }

    [Fact]
    public void Acknowledge_drops_audio_before_the_point()
    {
        var log = new CallerAudioLog(TimeSpan.FromSeconds(1));
        var audio = TestAudio.Pattern(800);
        log.Append(0, audio);

        log.Acknowledge(300);

        Assert.Equal((300L, 300L, 800L), (log.Start, log.AcknowledgedPosition, log.End));
        // Reading from before the acknowledged point clamps to what is held.
        Assert.Equal(audio[300..800], ReadAll(log, 0, 800));
    }

    [Fact]
    public void Acknowledge_clamps_to_the_held_span_and_never_goes_back()
    {
        var log = new CallerAudioLog(TimeSpan.FromSeconds(1));
        log.Append(0, TestAudio.Pattern(800));

        log.Acknowledge(5000);
        Assert.Equal((800L, 800L), (log.Start, log.AcknowledgedPosition));

        log.Acknowledge(100);
        Assert.Equal((800L, 800L), (log.Start, log.AcknowledgedPosition));

        log.Acknowledge(-50);
        Assert.Equal((800L, 800L), (log.Start, log.AcknowledgedPosition));

        // Audio appended after a clamped acknowledgement is all still held.
        var more = TestAudio.Pattern(160, seed: 9);
        log.Append(800, more);
        Assert.Equal(more, ReadAll(log, 0, 1000));
    }

    [Fact]
    public void A_gap_is_filled_with_mulaw_silence_and_positions_stay_true()
    {
        var log = new CallerAudioLog(TimeSpan.FromSeconds(1));
        var first = TestAudio.Pattern(160, seed: 3);
        var later = TestAudio.Pattern(160, seed: 4);

        log.Append(0, first);
        log.Append(1000, later); // 840 samples lost on the way in

        Assert.Equal(1160L, log.End);
        Assert.Equal(first, ReadAll(log, 0, 160));
        Assert.All(ReadAll(log, 160, 840), b => Assert.Equal(G711.MuLawSilence, b));
        Assert.Equal(later, ReadAll(log, 1000, 500));
        Assert.Equal(0, log.LostSamples);
    }

    [Fact]
    public void A_gap_at_the_very_start_is_silence_too()
    {
        var log = new CallerAudioLog(TimeSpan.FromSeconds(1));
        var audio = TestAudio.Pattern(100);

        log.Append(250, audio);

        Assert.Equal((0L, 350L), (log.Start, log.End));
        Assert.All(ReadAll(log, 0, 250), b => Assert.Equal(G711.MuLawSilence, b));
        Assert.Equal(audio, ReadAll(log, 250, 100));
    }

    [Fact]
    public void Overlapping_audio_throws_and_leaves_the_log_unchanged()
    {
        var log = new CallerAudioLog(TimeSpan.FromSeconds(1));
        var audio = TestAudio.Pattern(320);
        log.Append(0, audio);

        var e = Assert.Throws<ArgumentException>(() => log.Append(319, TestAudio.Pattern(10, seed: 8)));
        Assert.Equal("position", e.ParamName);
        Assert.Throws<ArgumentException>(() => log.Append(0, TestAudio.Pattern(10, seed: 8)));

        Assert.Equal(320L, log.End);
        Assert.Equal(audio, ReadAll(log, 0, 320));
    }

    [Fact]
    public void Overflow_of_unacknowledged_audio_counts_as_lost_and_keeps_the_newest()
    {
        var log = new CallerAudioLog(TimeSpan.FromMilliseconds(40)); // 320
        var audio = TestAudio.Pattern(480);

        log.Append(0, audio.AsSpan(0, 160));
        log.Append(160, audio.AsSpan(160, 160));
        Assert.Equal(0, log.LostSamples);

        log.Append(320, audio.AsSpan(320, 160));

        Assert.Equal(160, log.LostSamples);
        Assert.Equal((160L, 480L), (log.Start, log.End));
        Assert.Equal(audio[160..480], ReadAll(log, 0, 480));
    }

    [Fact]
    public void Dropping_acknowledged_audio_is_not_a_loss()
    {
        var log = new CallerAudioLog(TimeSpan.FromMilliseconds(40)); // 320
        log.Append(0, TestAudio.Pattern(320));
        log.Acknowledge(200);

        // Room for 200 more: the acknowledged audio made it, nothing is lost.
        log.Append(320, TestAudio.Pattern(200, seed: 2));
        Assert.Equal(0, log.LostSamples);
        Assert.Equal((200L, 520L), (log.Start, log.End));

        // 50 more than fit: only those 50 unacknowledged samples are lost.
        log.Append(520, TestAudio.Pattern(50, seed: 3));
        Assert.Equal(50, log.LostSamples);
        Assert.Equal(250L, log.Start);
        Assert.Equal(200L, log.AcknowledgedPosition);
    }

    [Fact]
    public void Dropping_unacknowledged_audio_an_engine_heard_is_not_a_loss_but_dropping_what_none_heard_is()
    {
        var log = new CallerAudioLog(TimeSpan.FromMilliseconds(40)); // 320
        log.Append(0, TestAudio.Pattern(320));
        log.Heard(250);

        // 100 more than fit: the first 100 go, all heard (a long turn with no reply yet, say).
        log.Append(320, TestAudio.Pattern(100, seed: 2));
        Assert.Equal(0, log.LostSamples);
        Assert.Equal((100L, 420L), (log.Start, log.End));

        // 200 more: 100..300 go, of which 250..300 were never sent to an engine.
        log.Append(420, TestAudio.Pattern(200, seed: 3));
        Assert.Equal(50, log.LostSamples);
        Assert.Equal(300L, log.Start);
    }

    [Fact]
    public void A_single_append_larger_than_the_capacity_counts_everything_it_cannot_hold()
    {
        var log = new CallerAudioLog(TimeSpan.FromMilliseconds(40)); // 320
        var audio = TestAudio.Pattern(500);

        log.Append(0, audio);

        Assert.Equal(180, log.LostSamples);
        Assert.Equal((180L, 500L), (log.Start, log.End));
        Assert.Equal(audio[180..500], ReadAll(log, 0, 500));
    }

    [Fact]
    public void A_gap_longer_than_the_capacity_counts_the_silence_pushed_out_as_lost()
    {
        var log = new CallerAudioLog(TimeSpan.FromMilliseconds(40)); // 320
        var later = TestAudio.Pattern(160, seed: 6);
        log.Append(0, TestAudio.Pattern(160));

        log.Append(1000, later);

        Assert.Equal(1160L, log.End);
        Assert.Equal(840L, log.Start);
        Assert.Equal(840, log.LostSamples);
        var held = ReadAll(log, 0, 1000);
        Assert.Equal(320, held.Length);
        Assert.All(held[..160], b => Assert.Equal(G711.MuLawSilence, b));
        Assert.Equal(later, held[160..]);
    }

    [Fact]
    public void Read_clamps_to_what_is_held()
    {
        var log = new CallerAudioLog(TimeSpan.FromSeconds(1));
        var audio = TestAudio.Pattern(400);
        log.Append(0, audio);
        log.Acknowledge(100);

        var buffer = new byte[1000];
        Assert.Equal(300, log.Read(0, buffer));
        Assert.Equal(audio[100..400], buffer[..300]);
        Assert.Equal(0, log.Read(400, buffer));
        Assert.Equal(0, log.Read(4000, buffer));
        Assert.Equal(50, log.Read(350, buffer));
        Assert.Equal(10, log.Read(200, buffer.AsSpan(0, 10)));
        Assert.Equal(audio[200..210], buffer[..10]);
        Assert.Equal(0, new CallerAudioLog(TimeSpan.FromSeconds(1)).Read(0, buffer));
    }

    private static byte[] ReadAll(CallerAudioLog log, long from, int max)
    {
        var buffer = new byte[max];
        var n = log.Read(from, buffer);
        return buffer[..n];
    }
}
