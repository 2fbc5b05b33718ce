using VoiceBridge.Call;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// Agent audio that meets an empty caller buffer goes out as it arrives, not at the next 20 ms tick,
/// and pacing counts from that moment; with audio still ahead of the caller nothing goes faster than
/// elapsed time plus the lead.
/// </summary>
public sealed class PlayoutBufferEarlyWriteTests
{
    private const int Frame = CallClock.FrameSamples;
    private readonly RecordingLegOutput _leg = new();

    [Fact]
    public void Audio_meeting_an_idle_stream_goes_at_once_and_pacing_counts_from_then()
    {
        var playout = new PlayoutBuffer(_leg, new PlayoutOptions { LeadFrames = 3 });
        playout.Tick(1000);
        playout.Enqueue(1, "a", TestAudio.Pattern(20 * Frame));
        playout.EndItem("a");

        playout.OnAudioQueued(1013);
        Assert.Equal(3, _leg.Frames.Count); // the lead, 7 ms before the next tick

        playout.Tick(1020);
        Assert.Equal(3, _leg.Frames.Count); // 7 ms since the spurt began: not a frame's worth yet
        playout.Tick(1040);
        Assert.Equal(4, _leg.Frames.Count); // 27 ms
        playout.Tick(1060);
        Assert.Equal(5, _leg.Frames.Count); // 47 ms
    }

    [Fact]
    public void Audio_arriving_while_the_caller_still_has_the_lead_waits_for_the_tick()
    {
        var playout = new PlayoutBuffer(_leg, new PlayoutOptions { LeadFrames = 3 });
        playout.Enqueue(1, "a", TestAudio.Pattern(3 * Frame));
        playout.OnAudioQueued(0);
        Assert.Equal(3, _leg.Frames.Count);

        playout.Enqueue(1, "a", TestAudio.Pattern(3 * Frame));
        playout.OnAudioQueued(5);
        Assert.Equal(3, _leg.Frames.Count);
        playout.Tick(20);
        Assert.Equal(4, _leg.Frames.Count);
    }

    [Fact]
    public void An_item_that_ran_dry_resumes_at_once_with_the_lead()
    {
        var playout = new PlayoutBuffer(_leg, new PlayoutOptions { LeadFrames = 3 });
        playout.Enqueue(1, "a", TestAudio.Pattern(3 * Frame));
        playout.OnAudioQueued(0);
        for (var ms = 20; ms <= 100; ms += 20)
        {
            playout.Tick(ms); // the caller's 60 ms run out at 60 ms: a gap
        }

        playout.Enqueue(1, "a", TestAudio.Pattern(5 * Frame));
        playout.OnAudioQueued(107);
        Assert.Equal(6, _leg.Frames.Count);
        Assert.Equal(1, playout.Discontinuities);
    }

    /// <summary>
    /// Whatever the arrival times and tick phases, frames sent by any moment never exceed the lead
    /// plus the frames of time elapsed since the spurt began (no burst beyond what pacing allows).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Frames_never_run_ahead_of_elapsed_time_plus_the_lead(int seed)
    {
        const int lead = 4;
        var random = new Random(seed);
        var playout = new PlayoutBuffer(_leg, new PlayoutOptions { LeadFrames = lead });
        long spurtStart = -1;
        long nextTick = 20;
        long nowMs = 0;
        for (var step = 0; step < 2000; step++)
        {
            nowMs += random.Next(1, 12);
            while (nextTick <= nowMs)
            {
                playout.Tick(nextTick);
                nextTick += 20;
            }

            if (random.Next(4) == 0)
            {
                if (!playout.IsPlaying)
                {
                    spurtStart = nowMs;
                    _leg.Frames.Clear();
                }

                playout.Enqueue(1, "a", TestAudio.Pattern(random.Next(1, 4) * Frame));
                playout.OnAudioQueued(nowMs);
            }

            if (spurtStart >= 0)
            {
                Assert.True(_leg.Frames.Count <= lead + ((nowMs - spurtStart) / 20), $"{_leg.Frames.Count} frames {nowMs - spurtStart} ms into the spurt");
            }
        }
    }
}
