using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Media;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// The session's failover triggers and handoff rules on a fake clock: soft switches wait for a turn
/// boundary; slow turns, quality regression, repeated client errors, session expiry, an opened
/// breaker (failback: CallSessionFailbackTests); a reply cut by a handoff is continued.
/// </summary>
public sealed class CallSessionTriggerTests(ITestOutputHelper output)
{
    // Four 1 s caller bursts, each followed by 3 s of silence: our VAD's turns end at 1500, 5500,
    // 9500 and 13500 ms (closed 500 ms later).
    internal static readonly byte[] FourBursts = TestAudio.Concat(
        TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(3000), TestAudio.Tone(1000), TestAudio.Silence(3000),
        TestAudio.Tone(1000), TestAudio.Silence(3000), TestAudio.Tone(1000), TestAudio.Silence(2500));

    internal static readonly long[] TurnEnds = [1500, 5500, 9500, 13500];

    [Fact]
    public void Three_slow_turns_in_a_row_move_the_call_once_the_third_reply_has_played()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            await ThreeSlowTurnsThenTheNextEngine(h, chain);
            await h.At(16500);
        });

        var sw = Assert.Single(summary.Switches!);
        Assert.Equal(("a", "b", "slow-turns"), (sw.From, sw.To, sw.Reason));
        var third = summary.Turns.Single(t => t.ItemId == "a2");
        Assert.True(sw.DetectedAtMs >= third.EndMs && sw.DetectedAtMs < 12500, $"switched at {sw.DetectedAtMs} ms; the third reply ended at {third.EndMs} ms");
        Assert.Equal([(0, "slow-turns")], chain.Failures);
    }

    [Fact]
    public void Slow_turns_with_no_other_engine_available_keep_the_call_where_it_is()
    {
        var chain = new ScriptedChain("a", "b") { State = i => i == 1 ? BreakerState.Open : BreakerState.Closed };
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            for (var turn = 0; turn < 4; turn++)
            {
                await h.Reply(a, $"a{turn}", TurnEnds[turn] + 2000);
            }

            await feed;
            await h.At(16500);
        });

        Assert.Empty(summary.Switches!);
        Assert.Equal(4, summary.Turns.Count(t => t.Role == TurnRole.Assistant && t.Engine == "a"));
        Assert.Single(h.Logger.Entries, e => e.Message.Contains("no other engine is available", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_slow_turns_and_a_quick_one_do_not_switch()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.Reply(a, "a0", TurnEnds[0] + 2000);
            await h.Reply(a, "a1", TurnEnds[1] + 2000);
            await h.Reply(a, "a2", TurnEnds[2] + 800);
            await h.Reply(a, "a3", TurnEnds[3] + 2000);
            await feed;
            await h.At(16500);
        });

        Assert.Empty(summary.Switches!);
        Assert.Single(chain.Created);
    }

    [Fact]
    public void Two_turns_heard_but_transcribed_as_nothing_move_the_call_at_the_next_boundary()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.At(TurnEnds[0] + 600);
            await a.UserTranscript("u0", "");
            await h.Reply(a, "a0", TurnEnds[0] + 800);
            await h.At(TurnEnds[1] + 600);
            await a.UserTranscript("u1", "");
            await h.At(TurnEnds[1] + 700);
            Assert.Single(chain.Created);
            await h.Reply(a, "a1", TurnEnds[1] + 800);
            var b = await chain.Engine(1);
            await b.Ready();
            await feed;
            await h.At(14500);
        });

        var sw = Assert.Single(summary.Switches!);
        Assert.Equal(("a", "b", "quality-regression"), (sw.From, sw.To, sw.Reason));
        var second = summary.Turns.Single(t => t.ItemId == "a1");
        Assert.True(sw.DetectedAtMs >= second.EndMs && sw.DetectedAtMs < 8500, $"switched at {sw.DetectedAtMs} ms");
    }

    [Fact]
    public void A_response_without_audio_twice_in_a_row_is_a_quality_regression()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            await a.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = a.Generation, ResponseId = "r1" });
            await a.ResponseDone("r1");
            await a.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = a.Generation, ResponseId = "r2" });
            await a.ResponseDone("r2", "incomplete");
            var b = await chain.Engine(1);
            await b.Ready();
            await h.At(500);
        });

        Assert.Equal("quality-regression", Assert.Single(summary.Switches!).Reason);
    }

    [Fact]
    public void Our_own_bad_request_is_logged_and_only_a_repeated_one_gives_up_the_engine()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            await ClientError(a);
            await ClientError(a);
            await h.At(100);
            Assert.Single(chain.Created);
            await ClientError(a);
            var b = await chain.Engine(1);
            await b.Ready();
            await h.At(200);
        });

        Assert.Equal(("a", "b", "client-errors"), (summary.Switches![0].From, summary.Switches[0].To, summary.Switches[0].Reason));
        Assert.Contains(h.Logger.Entries, e => e.Message.Contains("refused our request", StringComparison.Ordinal));
    }

    [Fact]
    public void A_session_near_its_limit_is_rotated_to_a_fresh_session_of_the_same_engine_at_a_turn_boundary()
    {
        var chain = new ScriptedChain("a", "b");
        var options = new CallSessionOptions();
        options.Failover.SessionLimits["a"] = TimeSpan.FromSeconds(7);
        options.Failover.SessionRotateBefore = TimeSpan.FromSeconds(2);
        var h = new CallHarness(output, options: options, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts[..(int)CallClock.MsToSamples(8500)]);
            await h.At(TurnEnds[0] + 600);
            await a.SpeechStarted("u0", 4000);
            await a.SpeechStopped("u0", 12000);
            await a.UserTranscript("u0", "hello");
            await h.Reply(a, "a0", TurnEnds[0] + 800);
            await h.At(TurnEnds[1] + 600);
            await a.SpeechStarted("u1", 36000);
            await a.SpeechStopped("u1", 44000);
            await a.UserTranscript("u1", "tomorrow");

            // 5 s into the session the rotation is due, but the caller is speaking, then owed a reply.
            await h.Reply(a, "a1", TurnEnds[1] + 800);
            var fresh = await chain.Engine(1);
            await fresh.Ready();
            await feed;
        });

        var sw = Assert.Single(summary.Switches!);
        Assert.Equal(("a", "a", "session-expiry"), (sw.From, sw.To, sw.Reason));
        Assert.Equal([0, 0], chain.Created.Select(c => c.Index));
        var reply = summary.Turns.Single(t => t.ItemId == "a1");
        Assert.True(sw.DetectedAtMs >= reply.EndMs, $"rotated at {sw.DetectedAtMs} ms, during the reply that ended at {reply.EndMs} ms");
        Assert.Empty(chain.Failures);

        // The fresh session starts with the whole conversation; the caller said nothing since the
        // last turn, so its audio starts with only the 300 ms pre-roll of background before the switch.
        var fresh = chain.Created[1].Engine;
        Assert.Equal(4, fresh.Start!.Conversation.Turns.Count(t => t.StartMs <= sw.DetectedAtMs));
        Assert.Equal(6900, sw.DetectedAtMs);
        // (The shared pacer's tick of 6900 ms that rotates comes before the caller frame of the same ms.)
        Assert.Equal(CallClock.MsToSamples(6880 - 300), fresh.CallerAudio[0].Position);
    }

    [Fact]
    public void An_opened_breaker_moves_a_live_call_at_its_next_turn_boundary_without_counting_a_failure()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);
        var open = false;
        chain.State = i => i == 0 && open ? BreakerState.Open : BreakerState.Closed;

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.At(2000);
            open = true;
            await h.Reply(a, "a0", TurnEnds[0] + 800);
            var b = await chain.Engine(1);
            await b.Ready();
            for (var turn = 1; turn < 4; turn++)
            {
                await h.Reply(b, $"b{turn}", TurnEnds[turn] + 800);
            }

            await feed;
        });

        var sw = Assert.Single(summary.Switches!);
        Assert.Equal(("a", "b", "breaker-open"), (sw.From, sw.To, sw.Reason));
        Assert.True(sw.DetectedAtMs >= summary.Turns.Single(t => t.ItemId == "a0").EndMs);
        Assert.Empty(chain.Failures);
    }

    [Fact]
    public void With_every_breaker_open_a_new_call_goes_to_the_last_resort_at_once()
    {
        var chain = new ScriptedChain("a", "b") { State = _ => BreakerState.Open };
        var options = new CallSessionOptions { Apology = TestAudio.Pattern(1600) };
        var h = new CallHarness(output, options: options, chain: chain);

        var summary = h.Run(async () => await h.At(400));

        Assert.Empty(chain.Created);
        Assert.Contains(summary.Errors, e => e.Contains("every engine's breaker is open", StringComparison.Ordinal));
        Assert.Equal("last-resort", Assert.Single(summary.Turns).Engine);
    }

    [Fact]
    public void A_reply_cut_by_a_lost_socket_is_continued_by_the_next_engine_after_the_words_queued()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.At(TurnEnds[0] + 600);
            await a.UserTranscript("u0", "hello");
            await h.At(TurnEnds[0] + 800);

            // Two of the reply's four words and 1 s of its 2 s of audio arrive; then the socket goes.
            await a.Post(new EngineEvent { Kind = EngineEventKind.AgentTranscriptDelta, Generation = a.Generation, ItemId = "a0", Text = "Happy to " });
            await a.AgentAudio("a0", TestAudio.Pattern(8000));
            await h.At(TurnEnds[0] + 900);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            var b = await chain.Engine(1);
            await b.Ready();
            await h.At(TurnEnds[0] + 1000);
            Assert.Equal(["Happy to"], b.ResponseRequests);
            await feed;
        });

        var sw = Assert.Single(summary.Switches!);
        Assert.Equal("socket-lost", sw.Reason);
        var cut = summary.Turns.Single(t => t.ItemId == "a0");
        Assert.True(cut.Interrupted);
        Assert.Equal(("Happy to", 1000L), (cut.HeardText, cut.HeardAudioMs));

        // The next engine was seeded with the cut reply as heard.
        var seeded = chain.Created[1].Engine.Start!.Conversation.Turns.Single(t => t.ItemId == "a0");
        Assert.Equal("Happy to", seeded.HeardText);
    }

    [Fact]
    public void With_warm_standby_the_next_engine_is_warmed_up_once_the_first_is_ready_and_takes_over_without_a_new_session()
    {
        var chain = new ScriptedChain("a", "b", "c");
        var options = new CallSessionOptions();
        options.Failover.WarmStandby = true;
        var h = new CallHarness(output, options: options, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await h.At(100);
            Assert.Single(chain.Created);
            await a.Ready();
            var standby = await chain.Engine(1);
            await h.At(200);
            Assert.Equal((1, 1, false), (chain.Created[1].Index, standby.WarmUps, standby.Start is not null));
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            await h.At(300);
            Assert.NotNull(standby.Start);
            await standby.Ready();

            // The new active engine gets a standby of its own: the one after it.
            var next = await chain.Engine(2);
            await h.At(400);
            Assert.Equal((2, 1), (chain.Created[2].Index, next.WarmUps));
        });

        Assert.Equal("b", Assert.Single(summary.Switches!).To);
        Assert.Equal([0, 1, 2], chain.Created.Select(c => c.Index));
        Assert.True(chain.Created[2].Engine.Disposed, "the unused standby is disposed when the call ends");
    }

    [Fact]
    public void With_a_filler_a_caller_waiting_for_an_answer_hears_it_while_the_next_engine_prepares()
    {
        var chain = new ScriptedChain("a", "b");
        var filler = TestAudio.Pattern(8000, seed: 7); // 1 s
        var h = new CallHarness(output, options: new CallSessionOptions { Filler = filler }, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts[..(int)CallClock.MsToSamples(4000)]);
            await h.At(TurnEnds[0] + 700);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            var b = await chain.Engine(1);
            await h.At(TurnEnds[0] + 1200);
            await b.Ready();
            await h.Reply(b, "b0", TurnEnds[0] + 1300);
            await feed;
        });

        // The filler's 50 frames go out first, then the new engine's reply; neither is lost or cut.
        var frames = h.Leg.Frames;
        Assert.Equal(filler[..CallClock.FrameSamples], frames[0]);
        Assert.Equal(filler[^CallClock.FrameSamples..], frames[49]);
        Assert.Equal(TestAudio.Pattern(4800)[..CallClock.FrameSamples], frames[50]);
        Assert.Equal(0, summary.OutboundDiscontinuities);
        Assert.DoesNotContain(summary.Turns, t => t.ItemId?.StartsWith("filler", StringComparison.Ordinal) == true);
        var sw = Assert.Single(summary.Switches!);
        Assert.True(sw.FirstFallbackAudioAtMs >= TurnEnds[0] + 1300, "the handoff completes with the new engine's audio, not the filler");
    }

    /// <summary>Engine a answers the first three bursts 2 s late (slow turns); engine b, once the call moved, the fourth.</summary>
    internal static async Task ThreeSlowTurnsThenTheNextEngine(CallHarness h, ScriptedChain chain)
    {
        var a = await chain.Engine(0);
        await a.Ready();
        var feed = h.FeedAsync(FourBursts);
        for (var turn = 0; turn < 3; turn++)
        {
            await h.Reply(a, $"a{turn}", TurnEnds[turn] + 2000);
        }

        var b = await chain.Engine(1);
        await b.Ready();
        await h.Reply(b, "b0", TurnEnds[3] + 700);
        await feed;
    }

    private static ValueTask ClientError(ScriptedEngine engine) =>
        engine.Post(new EngineEvent { Kind = EngineEventKind.Error, Generation = engine.Generation, Text = "invalid_request_error: bad item", Status = "client-error" });
}
