using VoiceBridge.Call;
using VoiceBridge.Media;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>Caller audio from the leg to the engine: buffered until the engine is ready, then live, positions true.</summary>
public sealed class CallSessionAudioTests(ITestOutputHelper output)
{
    [Fact]
    public void Caller_audio_reaches_the_engine_only_after_ready_buffered_from_zero_then_live()
    {
        var h = new CallHarness(output);
        var before = TestAudio.Pattern(25 * CallClock.FrameSamples, seed: 1);
        var live = TestAudio.Pattern(10 * CallClock.FrameSamples, seed: 2);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.FeedAsync(before); // frames at 20..500 ms
            await h.At(510);
            Assert.Empty(h.Engine.CallerAudio);
            Assert.Equal(before.Length, h.Session.CallerPosition);

            await h.Engine.Ready();
            await h.At(511);
            Assert.Equal(before.Length, h.Engine.AssertContiguousFrom(0));
            Assert.Equal(before, h.Engine.CallerBytes());

            await h.FeedAsync(live, startMs: 520); // frames at 540..720 ms
            await h.At(730);
        });

        Assert.Equal(before.Length + live.Length, h.Engine.AssertContiguousFrom(0));
        Assert.Equal(TestAudio.Concat(before, live), h.Engine.CallerBytes());
        // Live frames go one by one, as they arrive.
        Assert.Equal(Enumerable.Range(0, 10).Select(k => before.Length + (k * 160L)), h.Engine.CallerAudio.TakeLast(10).Select(c => c.Position));
        Assert.Equal(700, summary.CallerAudioMs);
        Assert.Equal(0, summary.LostCallerAudioMs);
    }

    [Fact]
    public void A_mark_echoed_from_inside_the_send_waits_for_the_handler_that_sent_it_and_is_then_handled()
    {
        var h = new CallHarness(output);
        var echoed = new List<string>();
        h.Leg.MarkSent = mark =>
        {
            // The call is busy sending this mark: the echo queues behind the handler that sent it.
            var post = h.Session.OnMarkAsync(mark);
            Assert.True(post.IsCompletedSuccessfully);
            echoed.Add(mark.ToString());
        };

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Reply(h.Engine, "a1", atMs: 100);
            await h.At(1_000);
            Assert.Equal(0, h.Session.Playout.PendingMarks);
        });

        Assert.NotEmpty(echoed);
        Assert.Equal(h.Leg.Marks.Select(m => m.Name), echoed);
        Assert.True(h.Session.Playout.Item("a1")!.HeardToEnd);
    }

    [Fact]
    public void Odd_sized_caller_chunks_stay_contiguous_before_and_after_ready()
    {
        var h = new CallHarness(output);
        var audio = TestAudio.Pattern(37 * 97, seed: 3);

        h.Run(async () =>
        {
            await h.Engine.Started;
            var feed = h.FeedAsync(audio, frameBytes: 97); // one 97-byte chunk every 20 ms, to 740 ms
            await h.At(305);
            await h.Engine.Ready();
            await feed;
            await h.At(750);
        });

        Assert.Equal(audio.Length, h.Engine.AssertContiguousFrom(0));
        Assert.Equal(audio, h.Engine.CallerBytes());
    }

    [Fact]
    public void A_ready_engine_after_the_log_overflowed_gets_what_is_held_at_true_positions_and_the_loss_is_reported()
    {
        var h = new CallHarness(output, options: new CallSessionOptions { CallerAudioLogCapacity = TimeSpan.FromSeconds(1) });
        var audio = TestAudio.Pattern(3 * CallClock.SampleRate, seed: 4);
        var live = TestAudio.Pattern(5 * CallClock.FrameSamples, seed: 5);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.FeedAsync(audio); // 3 s while the engine connects; the log holds 1 s
            await h.At(3010);
            await h.Engine.Ready();
            await h.FeedAsync(live, startMs: 3020);
            await h.At(3200);
        });

        Assert.Equal(audio.Length + live.Length, h.Engine.AssertContiguousFrom(2 * CallClock.SampleRate));
        Assert.Equal(TestAudio.Concat(audio[(2 * CallClock.SampleRate)..], live), h.Engine.CallerBytes());
        // The 2 s pushed out before the engine was ready, which no engine heard; what the live audio
        // pushed out afterwards the engine had been given from the log.
        Assert.Equal(2000, summary.LostCallerAudioMs);
        Assert.Equal(3100, summary.CallerAudioMs);
    }

    [Fact]
    public void A_long_turn_the_engine_heard_live_is_not_lost_when_it_outgrows_the_log_unanswered()
    {
        var h = new CallHarness(output, options: new CallSessionOptions { CallerAudioLogCapacity = TimeSpan.FromSeconds(1) });
        var audio = TestAudio.Pattern(3 * CallClock.SampleRate, seed: 8);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.FeedAsync(audio); // 3 s, nothing acknowledged: the log holds the last 1 s
            await h.At(3100);
        });

        Assert.Equal(audio, h.Engine.CallerBytes());
        Assert.Equal(0, summary.LostCallerAudioMs);
    }

    [Fact]
    public void An_engine_ready_before_any_audio_gets_every_frame_live()
    {
        var h = new CallHarness(output);
        var audio = TestAudio.Pattern(8 * CallClock.FrameSamples, seed: 6);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.FeedAsync(audio);
            await h.At(200);
        });

        Assert.Equal(8, h.Engine.CallerAudio.Count);
        Assert.Equal(audio.Length, h.Engine.AssertContiguousFrom(0));
        Assert.Equal(audio, h.Engine.CallerBytes());
    }
}
