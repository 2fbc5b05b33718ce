using VoiceBridge.Call;
using VoiceBridge.Legs;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Call;

/// <summary>The playout buffer: pacing, frames, discontinuities, capacity and item events (marks and clears: PlayoutBufferTests.Marks.cs).</summary>
public sealed partial class PlayoutBufferTests
{
    private const int Frame = CallClock.FrameSamples;
    private readonly RecordingLegOutput _leg = new();
    private readonly List<string> _started = [];
    private readonly List<string> _sent = [];
    private readonly List<string> _heard = [];

    private PlayoutBuffer Create(int lead = 3, int markEvery = 5, TimeSpan? capacity = null)
    {
        var playout = new PlayoutBuffer(_leg, new PlayoutOptions
        {
            LeadFrames = lead,
            MarkEveryFrames = markEvery,
            Capacity = capacity ?? TimeSpan.FromSeconds(120),
        });
        playout.ItemStarted += i => _started.Add(i.ItemId);
        playout.ItemSent += i => _sent.Add(i.ItemId);
        playout.ItemHeard += i => _heard.Add(i.ItemId);
        return playout;
    }

    [Fact]
    public void Nothing_is_sent_without_audio()
    {
        var playout = Create();

        playout.Tick(0);
        playout.Tick(20);

        Assert.Empty(_leg.Events);
        Assert.False(playout.IsPlaying);
    }

    [Fact]
    public void First_tick_of_a_talkspurt_sends_the_lead_then_one_frame_per_20_ms()
    {
        var playout = Create(lead: 3);
        playout.Enqueue(1, "a", TestAudio.Pattern(50 * Frame));
        playout.EndItem("a");

        playout.Tick(1000);
        Assert.Equal(3, _leg.Frames.Count);
        Assert.True(playout.IsPlaying);

        playout.Tick(1019); // same 20 ms slot: nothing more
        Assert.Equal(3, _leg.Frames.Count);

        playout.Tick(1020);
        Assert.Equal(4, _leg.Frames.Count);
        playout.Tick(1040);
        Assert.Equal(5, _leg.Frames.Count);
        playout.Tick(1060);
        Assert.Equal(6, _leg.Frames.Count);
        Assert.Equal(6, playout.FramesSent);
        Assert.Equal(6L * Frame, playout.OutboundPosition);
    }

    [Fact]
    public void A_hold_sends_nothing_and_the_resumed_spurt_goes_on_at_its_pace_without_a_burst_or_a_gap()
    {
        var playout = Create(lead: 3);
        playout.Enqueue(1, "a", TestAudio.Pattern(50 * Frame));
        playout.Tick(1000);
        playout.Tick(1020);
        Assert.Equal(4, _leg.Frames.Count);

        playout.Hold(true, 1030);
        playout.Enqueue(1, "a", TestAudio.Pattern(10 * Frame));
        playout.OnAudioQueued(1500);
        for (var t = 1040; t <= 2020; t += 20)
        {
            playout.Tick(t);
        }

        Assert.Equal(4, _leg.Frames.Count);
        Assert.True(playout.IsHeld);

        playout.Hold(false, 2030);
        Assert.Equal(4, _leg.Frames.Count); // the caller's buffer still holds the lead sent before the hold
        playout.Tick(2040);
        playout.Tick(2060);
        Assert.Equal(6, _leg.Frames.Count);
        Assert.Equal(0, playout.Discontinuities);
    }

    [Fact]
    public void Lead_frames_are_an_option()
    {
        var playout = Create(lead: 1);
        playout.Enqueue(1, "a", TestAudio.Pattern(10 * Frame));

        playout.Tick(0);
        Assert.Single(_leg.Frames);
        playout.Tick(20);
        Assert.Equal(2, _leg.Frames.Count);
    }

    [Fact]
    public void A_late_tick_catches_up_by_elapsed_time()
    {
        var playout = Create(lead: 3);
        playout.Enqueue(1, "a", TestAudio.Pattern(50 * Frame));
        playout.EndItem("a");

        playout.Tick(1000);
        playout.Tick(1100); // 100 ms late: five slots passed

        Assert.Equal(8, _leg.Frames.Count);
        playout.Tick(1120);
        Assert.Equal(9, _leg.Frames.Count);
    }

    [Fact]
    public void Frames_are_160_bytes_in_order_and_an_ended_item_tail_is_padded_with_silence()
    {
        var playout = Create();
        var audio = TestAudio.Pattern(250);
        playout.Enqueue(1, "a", audio.AsSpan(0, 100));
        playout.Enqueue(1, "a", audio.AsSpan(100, 150));
        playout.EndItem("a");

        playout.Tick(0);

        Assert.Equal(2, _leg.Frames.Count);
        Assert.All(_leg.Frames, f => Assert.Equal(Frame, f.Length));
        Assert.Equal(audio[..160], _leg.Frames[0]);
        Assert.Equal(audio[160..250], _leg.Frames[1][..90]);
        Assert.All(_leg.Frames[1][90..], b => Assert.Equal(G711.MuLawSilence, b));
        Assert.Equal(250, playout.Item("a")!.SamplesSent);
    }

    [Fact]
    public void A_partial_tail_waits_for_more_audio_until_the_item_ends()
    {
        var playout = Create();
        var audio = TestAudio.Pattern(400);
        playout.Enqueue(1, "a", audio.AsSpan(0, 250));

        playout.Tick(0);
        Assert.Single(_leg.Frames); // 90 samples held back: more of the item may come

        playout.Enqueue(1, "a", audio.AsSpan(250, 150));
        playout.Tick(20);
        Assert.Equal(2, _leg.Frames.Count);
        Assert.Equal(audio[..320], _leg.AllAudio());
        Assert.Equal(0, playout.Discontinuities);

        playout.EndItem("a");
        playout.Tick(40);
        Assert.Equal(3, _leg.Frames.Count);
        Assert.Equal(audio[320..400], _leg.Frames[2][..80]);
        Assert.All(_leg.Frames[2][80..], b => Assert.Equal(G711.MuLawSilence, b));
    }

    [Fact]
    public void Items_never_share_a_frame()
    {
        var playout = Create();
        var a = TestAudio.Pattern(200, seed: 1);
        var b = TestAudio.Pattern(200, seed: 2);
        playout.Enqueue(1, "a", a);
        playout.EndItem("a");
        playout.Enqueue(1, "b", b);
        playout.EndItem("b");

        playout.Tick(0);
        playout.Tick(20);

        Assert.Equal(4, _leg.Frames.Count);
        Assert.Equal(a[..160], _leg.Frames[0]);
        Assert.Equal(a[160..], _leg.Frames[1][..40]);
        Assert.Equal(b[..160], _leg.Frames[2]);
        Assert.Equal(b[160..], _leg.Frames[3][..40]);
        Assert.Equal([("g1-320", 2), ("g1-640", 4)], _leg.Marks);
        Assert.Equal(["a", "b"], _sent);
    }

    [Fact]
    public void An_item_that_ends_normally_counts_no_discontinuity()
    {
        var playout = Create();
        playout.Enqueue(1, "a", TestAudio.Pattern(2 * CallClock.SampleRate + 77));
        playout.EndItem("a");

        for (var ms = 0; ms <= 3000; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(101, _leg.Frames.Count);
        Assert.Equal(0, playout.Discontinuities);
        Assert.False(playout.IsPlaying);
    }

    [Fact]
    public void Audio_streamed_at_real_time_after_the_lead_counts_no_discontinuity()
    {
        var playout = Create(lead: 3);
        var audio = TestAudio.Pattern(40 * Frame);
        playout.Enqueue(1, "a", audio.AsSpan(0, 3 * Frame));
        playout.Tick(0);
        for (var i = 3; i < 40; i++)
        {
            playout.Enqueue(1, "a", audio.AsSpan(i * Frame, Frame));
            playout.Tick((i - 2) * 20);
        }

        playout.EndItem("a");
        for (var ms = 760; ms <= 1000; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(audio, _leg.AllAudio());
        Assert.Equal(0, playout.Discontinuities);
    }

    [Fact]
    public void An_underrun_mid_item_counts_one_discontinuity_per_gap_once_the_item_resumes()
    {
        var playout = Create(lead: 3);
        playout.Enqueue(1, "a", TestAudio.Pattern(5 * Frame));

        playout.Tick(0);   // 3 frames
        playout.Tick(20);  // 4
        playout.Tick(40);  // 5: the caller's buffer holds 3 slots
        playout.Tick(60);
        playout.Tick(80);
        playout.Tick(100); // played dry, item not ended: the caller hears a gap...
        playout.Tick(120);
        playout.Tick(140);
        Assert.Equal(0, playout.Discontinuities); // ...which is a break in the stream only if the item goes on

        playout.Enqueue(1, "a", TestAudio.Pattern(3 * Frame, seed: 2));
        playout.Tick(160); // a new lead at once: the item resumed after a gap
        Assert.Equal(8, _leg.Frames.Count);
        Assert.Equal(1, playout.Discontinuities);
        for (var ms = 180; ms <= 300; ms += 20)
        {
            playout.Tick(ms);
        }

        // Dry again, and this time the item is cut (as a handoff cuts a stalled engine's reply):
        // that silence is the switch's dead air, not a second break.
        playout.EndItem("a");
        for (var ms = 320; ms <= 400; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(1, playout.Discontinuities);
        Assert.False(playout.IsPlaying);
        Assert.Equal([("g1-800", 5), ("g1-1280", 8)], _leg.Marks);
    }

    [Fact]
    public void A_stalled_item_ended_by_a_handoff_flushes_its_partial_tail_without_a_discontinuity()
    {
        var playout = Create(lead: 3);

        // 3.5 frames: the engine stalls with half a frame still waiting for more audio.
        playout.Enqueue(1, "a", TestAudio.Pattern((3 * Frame) + (Frame / 2)));
        for (var ms = 0; ms <= 140; ms += 20)
        {
            playout.Tick(ms); // 3 frames out, then dry mid-item
        }

        playout.EndGeneration(1);
        playout.Enqueue(2, "b", TestAudio.Pattern(2 * Frame, seed: 3));
        playout.EndItem("b");
        for (var ms = 160; ms <= 300; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(0, playout.Discontinuities);
        Assert.Equal(6, _leg.Frames.Count); // 3 + the padded tail + 2 of the next engine
        Assert.Equal(["a", "b"], _sent);
    }

    [Fact]
    public void Audio_over_capacity_is_dropped_and_counted()
    {
        var playout = Create(capacity: TimeSpan.FromMilliseconds(100)); // 800 samples
        var audio = TestAudio.Pattern(1200);

        playout.Enqueue(1, "a", audio.AsSpan(0, 640));
        playout.Enqueue(1, "a", audio.AsSpan(640, 320));

        Assert.Equal(320, playout.DroppedSamples);
        Assert.Equal(640, playout.Item("a")!.SamplesQueued);

        playout.Tick(0); // 3 frames out: 160 left queued, room for 640 again
        playout.Enqueue(1, "a", audio.AsSpan(640, 560));
        Assert.Equal(320, playout.DroppedSamples);
        playout.EndItem("a");
        for (var ms = 20; ms <= 200; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(8, _leg.Frames.Count);
        Assert.Equal(audio, _leg.AllAudio()[..1200]);
    }

    [Fact]
    public void ItemStarted_fires_once_per_item_when_its_first_frame_goes_out()
    {
        var playout = Create();
        playout.Enqueue(1, "a", TestAudio.Pattern(10 * Frame));
        playout.Enqueue(1, "a", TestAudio.Pattern(10 * Frame));
        playout.EndItem("a");
        playout.Enqueue(1, "b", TestAudio.Pattern(10 * Frame));
        playout.EndItem("b");
        Assert.Empty(_started);

        playout.Tick(0);
        Assert.Equal(["a"], _started);
        Assert.True(playout.Item("a")!.Started);
        Assert.False(playout.Item("b")!.Started);

        for (var ms = 20; ms <= 1000; ms += 20)
        {
            playout.Tick(ms);
        }

        Assert.Equal(["a", "b"], _started);
        Assert.Equal(["a", "b"], _sent);
    }

    [Fact]
    public void Empty_audio_and_unknown_items_are_ignored()
    {
        var playout = Create();
        playout.Enqueue(1, "a", ReadOnlySpan<byte>.Empty);
        playout.EndItem("nobody");

        Assert.Null(playout.Item("a"));
        Assert.Null(playout.Item("nobody"));
        playout.Tick(0);
        Assert.Empty(_leg.Events);
    }
}
