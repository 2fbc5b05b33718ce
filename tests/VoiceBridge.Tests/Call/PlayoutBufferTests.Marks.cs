using VoiceBridge.Call;
using VoiceBridge.Legs;

namespace VoiceBridge.Tests.Call;

/// <summary>The playout buffer's marks (what the caller heard) and clears.</summary>
public sealed partial class PlayoutBufferTests
{
    [Fact]
    public void Marks_go_every_MarkEveryFrames_frames_and_at_the_end_of_each_item()
    {
        var playout = Create(lead: 3, markEvery: 5);
        playout.Enqueue(2, "a", TestAudio.Pattern(12 * Frame));
        playout.EndItem("a");

        for (var ms = 0; ms <= 400; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(12, _leg.Frames.Count);
        // Named by generation and outbound position; each after the frames it covers.
        Assert.Equal([("g2-800", 5), ("g2-1600", 10), ("g2-1920", 12)], _leg.Marks);
        Assert.Equal(LegEventKind.Mark, _leg.Events[5].Kind);
        Assert.Equal(["a"], _sent);
        Assert.Empty(_heard);
    }

    [Fact]
    public void An_item_ending_on_a_mark_boundary_gets_one_end_mark()
    {
        var playout = Create(lead: 3, markEvery: 5);
        playout.Enqueue(1, "a", TestAudio.Pattern(10 * Frame));
        playout.EndItem("a");

        for (var ms = 0; ms <= 400; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal([("g1-800", 5), ("g1-1600", 10)], _leg.Marks);
        playout.OnMark(new PlayoutMark(1, 1600));
        Assert.Equal(["a"], _heard);
    }

    [Fact]
    public void Mark_echoes_update_what_was_heard_and_only_the_end_mark_means_heard_to_the_end()
    {
        var playout = Create(lead: 3, markEvery: 5);
        playout.Enqueue(1, "a", TestAudio.Pattern(12 * Frame));
        playout.EndItem("a");
        for (var ms = 0; ms <= 400; ms += 20)
        {
            playout.Tick(ms);
        }

        var item = playout.Item("a")!;
        playout.OnMark(new PlayoutMark(1, 800));
        Assert.Equal(5 * Frame, item.SamplesHeard);
        Assert.False(item.HeardToEnd);

        playout.OnMark(new PlayoutMark(1, 1600));
        Assert.Equal(10 * Frame, item.SamplesHeard);
        Assert.Empty(_heard);

        playout.OnMark(new PlayoutMark(7, 4242)); // a mark nobody sent
        playout.OnMark(new PlayoutMark(1, 800)); // a duplicate echo changes nothing
        Assert.Equal(10 * Frame, item.SamplesHeard);

        playout.OnMark(new PlayoutMark(1, 1920));
        Assert.Equal(12 * Frame, item.SamplesHeard);
        Assert.True(item.HeardToEnd);
        Assert.Equal(["a"], _heard);
        Assert.Equal(0, playout.FlushedMarks);
    }

    [Fact]
    public void Out_of_order_mark_echoes_never_move_heard_backwards()
    {
        var playout = Create(lead: 3, markEvery: 5);
        playout.Enqueue(1, "a", TestAudio.Pattern(20 * Frame));
        for (var ms = 0; ms <= 400; ms += 20)
        {
            playout.Tick(ms);
        }

        playout.OnMark(new PlayoutMark(1, 1600));
        playout.OnMark(new PlayoutMark(1, 800));

        Assert.Equal(10 * Frame, playout.Item("a")!.SamplesHeard);
    }

    [Fact]
    public void Clear_tells_the_leg_drops_queued_audio_and_flushed_marks_do_not_count_as_heard()
    {
        var playout = Create(lead: 3, markEvery: 5);
        playout.Enqueue(1, "a", TestAudio.Pattern(50 * Frame));
        playout.EndItem("a");
        for (var ms = 0; ms <= 200; ms += 20)
        {
            playout.Tick(ms); // 13 frames: marks after 5 and 10
        }

        playout.OnMark(new PlayoutMark(1, 800));
        playout.Clear();

        Assert.Equal(LegEventKind.Clear, _leg.Events[^1].Kind);
        Assert.Equal(1, _leg.Clears);
        Assert.False(playout.IsPlaying);

        playout.OnMark(new PlayoutMark(1, 1600)); // Twilio echoes pending marks after a clear
        Assert.Equal(1, playout.FlushedMarks);
        var item = playout.Item("a")!;
        Assert.Equal(5 * Frame, item.SamplesHeard);
        Assert.False(item.HeardToEnd);
        Assert.Empty(_heard);

        var framesAtClear = _leg.Frames.Count;
        playout.Enqueue(1, "a", TestAudio.Pattern(Frame)); // late deltas of the cut item are ignored
        for (var ms = 220; ms <= 600; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(framesAtClear, _leg.Frames.Count);
        Assert.Equal(0, playout.Discontinuities);
        Assert.Empty(_sent);
    }

    [Fact]
    public void After_a_clear_the_next_item_starts_a_new_talkspurt_on_the_same_outbound_clock()
    {
        var playout = Create(lead: 3, markEvery: 5);
        playout.Enqueue(1, "a", TestAudio.Pattern(50 * Frame));
        playout.Tick(0);
        playout.Tick(20);
        playout.Clear();

        var b = TestAudio.Pattern(3 * Frame, seed: 7);
        playout.Enqueue(1, "b", b);
        playout.EndItem("b");
        playout.Tick(40);

        Assert.Equal(7, _leg.Frames.Count);
        Assert.Equal(b, _leg.Frames.Skip(4).SelectMany(f => f).ToArray());
        Assert.Equal(("g1-1120", 7), _leg.Marks[^1]);
        Assert.Equal(["a", "b"], _started);

        playout.OnMark(new PlayoutMark(1, 1120));
        Assert.Equal(["b"], _heard);
        Assert.Equal(0, playout.FlushedMarks);
    }

    [Fact]
    public void An_item_whose_end_comes_after_its_last_frame_still_gets_its_end_mark()
    {
        var playout = Create(lead: 3, markEvery: 5);
        playout.Enqueue(1, "a", TestAudio.Pattern(7 * Frame));
        for (var ms = 0; ms <= 80; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(7, _leg.Frames.Count);
        Assert.Equal([("g1-800", 5)], _leg.Marks);
        Assert.Empty(_sent);

        playout.EndItem("a");

        Assert.Equal(("g1-1120", 7), _leg.Marks[^1]);
        Assert.Equal(["a"], _sent);
        playout.OnMark(new PlayoutMark(1, 1120));
        Assert.Equal(["a"], _heard);
        Assert.True(playout.Item("a")!.HeardToEnd);

        for (var ms = 100; ms <= 400; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(0, playout.Discontinuities);
        Assert.False(playout.IsPlaying);
        Assert.Equal(7, _leg.Frames.Count);
    }

    [Fact]
    public void An_end_that_comes_after_a_last_frame_carrying_a_periodic_mark_still_completes_the_item()
    {
        var playout = Create(lead: 3, markEvery: 5);
        playout.Enqueue(1, "a", TestAudio.Pattern(10 * Frame));
        for (var ms = 0; ms <= 140; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal([("g1-800", 5), ("g1-1600", 10)], _leg.Marks);
        playout.EndItem("a");
        Assert.Equal(["a"], _sent);
        Assert.Equal(10, _leg.Marks[^1].FramesBefore);

        // The carrier echoes every mark it got; the item is heard to its end exactly once.
        foreach (var (name, _) in _leg.Marks.ToList())
        {
            playout.OnMark(_leg.MarkNamed(name));
        }

        Assert.Equal(["a"], _heard);
        Assert.Equal(10 * Frame, playout.Item("a")!.SamplesHeard);
    }
}
