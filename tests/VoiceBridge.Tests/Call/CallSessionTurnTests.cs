using VoiceBridge.Call;
using VoiceBridge.Media;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>User turns from our VAD, transcripts, paced agent audio, latency, what was heard, barge-in.</summary>
public sealed class CallSessionTurnTests(ITestOutputHelper output)
{
    // 0.5 s silence, 1 s of 440 Hz at -10 dBFS, 1 s silence, the tone again, 1 s silence: two bursts at
    // samples [4000, 12000) and [20000, 28000). Frame k arrives at 20 (k + 1) ms.
    private static readonly byte[] TwoBursts = TestAudio.Concat(
        TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(1000), TestAudio.Tone(1000), TestAudio.Silence(1000));

    private const string AgentText = "Sure I can help you book a cleaning which day would suit you best";

    [Fact]
    public void Our_vad_makes_one_user_turn_per_speech_burst()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.FeedAsync(TwoBursts);
            await h.At(4510);
        });

        var users = summary.Turns.Where(t => t.Role == TurnRole.User).ToList();
        Assert.Equal(2, users.Count);
        Assert.Equal(summary.Turns.Count, users.Count);
        // Spans from our VAD on the call clock; ms from when that audio arrived (the silence window
        // of 500 ms closes each turn, but its end is the last voiced sample).
        Assert.Equal((4000L, 12000L, 500L, 1500L), (users[0].StartPosition, users[0].EndPosition, users[0].StartMs, users[0].EndMs));
        Assert.Equal((20000L, 28000L, 2500L, 3500L), (users[1].StartPosition, users[1].EndPosition, users[1].StartMs, users[1].EndMs));
        Assert.All(users, u => Assert.Equal("scripted", u.Engine));
        Assert.All(users, u => Assert.Equal("", u.Text));
    }

    [Fact]
    public void Vad_turn_positions_do_not_depend_on_how_the_leg_chunks_the_audio()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.FeedAsync(TwoBursts, frameBytes: 233);
            await h.At(4000);
        });

        var users = summary.Turns.Where(t => t.Role == TurnRole.User).Select(t => (t.StartPosition, t.EndPosition));
        Assert.Equal([(4000L, 12000L), (20000L, 28000L)], users);
    }

    [Fact]
    public void Continuous_silence_makes_no_turn()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.FeedAsync(TestAudio.Silence(3000));
        });

        Assert.Empty(summary.Turns);
    }

    [Fact]
    public void A_transcript_attaches_to_the_user_turn_its_provider_span_overlaps()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            var feed = h.FeedAsync(TwoBursts);

            // Turn 1: the provider's span differs a little from ours; the transcript comes after our VAD closed the turn.
            await h.At(605);
            await h.Engine.SpeechStarted("u1", 3840);
            await h.At(1805);
            await h.Engine.SpeechStopped("u1", 12480);
            await h.At(2105);
            await h.Engine.UserTranscript("u1", "I'd like to book a cleaning");

            // Turn 2: the provider's end of speech comes 200 ms into our silence window (ours would
            // close at 4000 ms): the turn, already trailing off, closes there, so the transcript
            // that follows at once attaches at once.
            await h.At(2605);
            await h.Engine.SpeechStarted("u2", 19840);
            await h.At(3705);
            await h.Engine.SpeechStopped("u2", 28320);
            await h.Engine.UserTranscript("u2", "Friday morning please");
            await h.At(3805);
            Assert.Equal(2, h.Session.Conversation.Turns.Count(t => t.Text.Length > 0));

            // A transcript whose span overlaps no turn of ours attaches to none.
            await h.Engine.SpeechStarted("u3", 40000);
            await h.Engine.SpeechStopped("u3", 41000);
            await h.Engine.UserTranscript("u3", "stray words");
            await feed;
            await h.At(4600);
        });

        var users = summary.Turns.Where(t => t.Role == TurnRole.User).ToList();
        Assert.Equal(2, users.Count);
        Assert.Equal(("u1", "I'd like to book a cleaning"), (users[0].ItemId, users[0].Text));
        Assert.Equal(("u2", "Friday morning please"), (users[1].ItemId, users[1].Text));
        Assert.DoesNotContain(summary.Turns, t => t.Text == "stray words");
    }

    [Fact]
    public void A_transcript_without_provider_positions_attaches_to_no_turn()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.FeedAsync(TwoBursts[..20000]);
            await h.Engine.UserTranscript("u1", "no span known");
            await h.At(2600);
        });

        Assert.Equal("", Assert.Single(summary.Turns).Text);
    }

    [Fact]
    public void Agent_audio_is_played_paced_and_the_turn_records_first_audio_latency()
    {
        var h = new CallHarness(output);
        var agent = TestAudio.Pattern(CallClock.SampleRate, seed: 11); // 1 s
        var framesAt = new List<int>();
        var echoed = new HashSet<string>();

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            var feed = h.FeedAsync(TwoBursts[..20000]); // one burst: user turn ends at 1500 ms, closed at 2000 ms
            await h.At(605);
            await h.Engine.SpeechStarted("u1", 4000);
            await h.At(1805);
            await h.Engine.SpeechStopped("u1", 12000);

            await h.At(2010);
            await h.Engine.UserTranscript("u1", "Can I book a cleaning");
            await h.Engine.AgentAudio("a1", agent);
            await h.Engine.AgentAudioDone("a1");
            await h.Engine.AgentTranscript("a1", AgentText);
            await h.Engine.ResponseDone("r1");
            foreach (var ms in new long[] { 2011, 2021, 2041, 2061, 2101, 2961, 3001 })
            {
                await h.At(ms);
                framesAt.Add(h.Leg.Frames.Count);
            }

            var turn = h.Session.Conversation.FindByItem("a1")!;
            Assert.Null(turn.HeardText);
            Assert.Equal(0, turn.HeardAudioMs);

            // The carrier has played it all and echoes every mark.
            await h.EchoMarks(h.Leg.Frames.Count, echoed);
            await feed;
            await h.At(3010);
        });

        // The lead (3 frames) goes as the audio meets the idle stream at 2010 ms, not at the next tick;
        // then one frame a tick, counted from 2010 ms.
        Assert.Equal([3, 3, 4, 5, 7, 50, 50], framesAt);
        Assert.Equal(agent, h.Leg.AllAudio());
        Assert.All(h.Leg.Frames, f => Assert.Equal(CallClock.FrameSamples, f.Length));
        Assert.Equal([5, 10, 15, 20, 25, 30, 35, 40, 45, 50], h.Leg.Marks.Select(m => m.FramesBefore));

        var user = summary.Turns.Single(t => t.Role == TurnRole.User);
        var assistant = summary.Turns.Single(t => t.Role == TurnRole.Assistant);
        Assert.Equal(1500, user.EndMs);
        Assert.Equal(("a1", "scripted", AgentText), (assistant.ItemId, assistant.Engine, assistant.Text));
        Assert.Equal(2010, assistant.StartMs);
        Assert.Equal(2960, assistant.EndMs); // the last frame went to the caller (at the tick of 2960 ms)
        Assert.Equal(510, assistant.FirstAudioLatencyMs);
        Assert.Equal(1000, assistant.AudioMs);
        Assert.Equal(1000, assistant.HeardAudioMs);
        Assert.Equal(AgentText, assistant.HeardText);
        Assert.False(assistant.Interrupted);
        Assert.Equal(50, summary.OutboundFrames);
        Assert.Equal(0, summary.OutboundDiscontinuities);
    }

    [Fact]
    public void Once_the_reply_is_sent_the_answered_caller_turn_is_acknowledged_in_the_audio_log()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Engine.SpeechStarted("u1", 4000);
            await h.Engine.SpeechStopped("u1", 12000);
            await h.FeedAsync(TwoBursts[..20000]);
            await h.Engine.UserTranscript("u1", "Can I book a cleaning");
            await h.Engine.AgentAudio("a1", TestAudio.Pattern(5 * CallClock.FrameSamples));
            await h.At(2565);
            Assert.Equal(5, h.Leg.Frames.Count);
            Assert.Equal(0, h.Session.AudioLog.Start); // the reply may go on: nothing acknowledged yet

            await h.Engine.AgentAudioDone("a1");
            await h.At(2570);
            Assert.Equal(12000, h.Session.AudioLog.Start);
            Assert.Equal(12000, h.Session.AudioLog.AcknowledgedPosition);
        });
    }

    [Fact]
    public void A_reply_to_a_turn_without_a_transcript_acknowledges_nothing()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.FeedAsync(TwoBursts[..20000]);
            await h.Engine.AgentAudio("a1", TestAudio.Pattern(5 * CallClock.FrameSamples));
            await h.Engine.AgentAudioDone("a1");
            await h.At(2700);
            Assert.NotNull(h.Session.Conversation.FindByItem("a1")!.FirstAudioLatencyMs);
            Assert.Equal(0, h.Session.AudioLog.Start);
        });
    }

    [Fact]
    public void Caller_speech_during_agent_audio_barges_in_truncating_to_what_was_heard()
    {
        var h = new CallHarness(output);
        var agent = TestAudio.Pattern(3 * CallClock.SampleRate, seed: 12); // 3 s
        var echoed = new HashSet<string>();
        var framesAtBargeIn = 0;

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            var feed = h.FeedAsync(TwoBursts);
            await h.At(605);
            await h.Engine.SpeechStarted("u1", 4000);
            await h.At(1805);
            await h.Engine.SpeechStopped("u1", 12000);
            await h.At(2010);
            await h.Engine.UserTranscript("u1", "Can I book a cleaning");
            await h.Engine.AgentAudio("a1", agent);
            await h.Engine.AgentAudioDone("a1");
            await h.Engine.AgentTranscript("a1", AgentText);
            await h.Engine.ResponseDone("r1");

            // By 2505 ms the carrier has played 25 frames (500 ms) and echoes the marks up to there.
            await h.At(2505);
            await h.EchoMarks(25, echoed);
            Assert.True(h.Session.Playout.IsPlaying);

            await h.At(2605);
            framesAtBargeIn = h.Leg.Frames.Count;
            await h.Engine.SpeechStarted("u2", 20000);
            await h.At(2606);
            Assert.Equal(1, h.Leg.Clears);
            Assert.Equal([("a1", 500L)], h.Engine.Truncations);
            Assert.False(h.Session.Playout.IsPlaying);

            // Twilio echoes the marks still pending after a clear: flushed, not heard.
            await h.EchoMarks(h.Leg.Frames.Count, echoed);
            await h.At(2607);
            Assert.Equal(1, h.Session.Playout.FlushedMarks);
            Assert.Equal(4000, h.Session.Playout.Item("a1")!.SamplesHeard);

            // Deltas of the cut item still in flight from the provider are not played.
            await h.Engine.AgentAudio("a1", TestAudio.Pattern(CallClock.FrameSamples, seed: 13));
            await feed;
            await h.At(4510);
        });

        Assert.Equal(32, framesAtBargeIn);
        Assert.Equal(framesAtBargeIn, h.Leg.Frames.Count);
        Assert.Equal(LegEventKind.Clear, h.Leg.Events[^1].Kind);
        var assistant = summary.Turns.Single(t => t.Role == TurnRole.Assistant);
        Assert.True(assistant.Interrupted);
        Assert.Equal(500, assistant.HeardAudioMs);
        // An estimate until engines give word timings: some leading words, no more than the share of the audio heard.
        AssertHeardPrefix(AgentText, assistant.HeardText, maxWords: 14 * 500 / 3000);
        Assert.Equal(2, summary.Turns.Count(t => t.Role == TurnRole.User));
        Assert.Equal(h.Leg.Frames.Count, summary.OutboundFrames);
    }

    /// <summary>Heard text after a barge-in: at least one whole leading word of <paramref name="text"/>, at most <paramref name="maxWords"/>.</summary>
    internal static void AssertHeardPrefix(string text, string? heard, int maxWords)
    {
        Assert.NotNull(heard);
        var words = heard.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(words.Length, 1, maxWords);
        Assert.Equal(text.Split(' ')[..words.Length], words);
    }

    [Fact]
    public void Barge_in_before_any_mark_came_back_truncates_to_zero()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Engine.AgentAudio("a1", TestAudio.Pattern(CallClock.SampleRate));
            await h.Engine.AgentTranscript("a1", AgentText);
            await h.At(105);
            await h.Engine.SpeechStarted("u1", 800);
            await h.At(110);
        });

        Assert.Equal([("a1", 0L)], h.Engine.Truncations);
        var assistant = Assert.Single(summary.Turns);
        Assert.True(assistant.Interrupted);
        Assert.Equal("", assistant.HeardText);
    }

    [Fact]
    public void Caller_speech_after_the_agent_was_heard_to_the_end_is_no_barge_in()
    {
        var h = new CallHarness(output);
        var echoed = new HashSet<string>();

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Engine.AgentAudio("a1", TestAudio.Pattern(10 * CallClock.FrameSamples));
            await h.Engine.AgentAudioDone("a1");
            await h.Engine.AgentTranscript("a1", AgentText);
            await h.At(400);
            await h.EchoMarks(h.Leg.Frames.Count, echoed);
            await h.At(405);
            await h.Engine.SpeechStarted("u1", 3200);
            await h.At(410);
        });

        Assert.Equal(0, h.Leg.Clears);
        Assert.Empty(h.Engine.Truncations);
        var assistant = Assert.Single(summary.Turns);
        Assert.False(assistant.Interrupted);
        Assert.Equal(AgentText, assistant.HeardText);
    }

    [Fact]
    public void More_caller_speech_after_a_barge_in_does_not_clear_or_truncate_again()
    {
        var h = new CallHarness(output);
        var echoed = new HashSet<string>();

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Engine.AgentAudio("a1", TestAudio.Pattern(2 * CallClock.SampleRate));
            await h.Engine.AgentTranscript("a1", AgentText);
            await h.At(305);
            await h.EchoMarks(10, echoed);
            await h.Engine.SpeechStarted("u1", 2400);
            await h.At(310);
            Assert.Equal(1, h.Leg.Clears);
            await h.EchoMarks(h.Leg.Frames.Count, echoed);

            // The caller keeps talking; the provider sees a new utterance before any new reply.
            await h.At(1505);
            await h.Engine.SpeechStarted("u2", 11000);
            await h.At(1510);
        });

        Assert.Equal(1, h.Leg.Clears);
        Assert.Equal([("a1", 200L)], h.Engine.Truncations);
        Assert.Equal(1, h.Logger.Entries.Count(e => e.Message.Contains("barge-in", StringComparison.Ordinal)));
    }
}
