using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// Keys the caller presses, on a fake clock: collected into one entry by the inter-digit timeout
/// (or <c>#</c>), a caller turn <c>[DTMF ...]</c> in the conversation, given to the engine with one
/// response only when the agent is free, delivered once an engine is ready, carried across a
/// handoff in the seeded history, and kept out of the audio replay point.
/// </summary>
public sealed class CallSessionDtmfTests(ITestOutputHelper output)
{
    [Fact]
    public void Keys_pressed_within_the_inter_digit_timeout_are_one_turn_given_to_the_engine_with_one_response()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.At(1000);
            await h.Session.OnDtmfAsync("1");
            await h.At(1300);
            await h.Session.OnDtmfAsync("2");
            await h.At(1700);
            await h.Session.OnDtmfAsync("3");
            await h.At(2600);
            Assert.Empty(h.Engine.CallerTexts);
            await h.At(2800);
        });

        var (turn, respond) = Assert.Single(h.Engine.CallerTexts);
        Assert.True(respond);
        Assert.Equal(("[DTMF 123]", "123", 1000L, 1700L), (turn.Text, turn.Dtmf, turn.StartMs, turn.EndMs));
        Assert.Equal(TurnRole.User, turn.Role);
        Assert.Same(turn, Assert.Single(summary.Turns));
        Assert.Contains(h.Logger.Entries, e => e.Message.Contains("DTMF 3", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hash_ends_the_entry_at_once_and_a_lower_case_letter_key_is_upper_case()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.At(1000);
            await h.Session.OnDtmfAsync("a");
            await h.Session.OnDtmfAsync("4");
            await h.Session.OnDtmfAsync("#");
            await h.At(1010);
            Assert.Equal("[DTMF A4#]", Assert.Single(h.Engine.CallerTexts).Turn.Text);
        });
    }

    [Fact]
    public void A_key_that_is_not_a_dtmf_digit_is_a_leg_error_and_no_turn()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Session.OnDtmfAsync("x");
            await h.Session.OnDtmfAsync("12");
            await h.Session.OnDtmfAsync("");
            await h.At(2000);
        });

        Assert.Equal(
            ["test: dtmf: 'x' is not a DTMF digit (0-9, *, #, A-D)", "test: dtmf: '12' is 2 characters, not one digit", "test: dtmf: '' is 0 characters, not one digit"],
            summary.Errors);
        Assert.Empty(summary.Turns);
        Assert.Empty(h.Engine.CallerTexts);
    }

    [Fact]
    public void An_entry_longer_than_the_limit_is_split()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            for (var i = 0; i < DtmfText.MaxDigits + 1; i++)
            {
                await h.Session.OnDtmfAsync("9");
            }

            await h.At(1500);
        });

        Assert.Equal([DtmfText.MaxDigits, 1], h.Engine.CallerTexts.Select(c => c.Turn.Dtmf!.Length));
    }

    [Fact]
    public void Keys_pressed_while_the_agent_answers_are_added_at_once_and_answered_when_its_response_is_done()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.At(500);
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = h.Engine.Generation, ResponseId = "r1" });
            await h.Engine.AgentTranscript("a1", "Press one for yes.");
            await h.Engine.AgentAudio("a1", TestAudio.Pattern(4800));
            await h.Engine.AgentAudioDone("a1");

            // The response is still in progress (its response.done has not come).
            await h.At(1000);
            await h.Session.OnDtmfAsync("1");
            await h.At(2100);
            var (turn, respond) = Assert.Single(h.Engine.CallerTexts);
            Assert.False(respond);

            await h.Engine.ResponseDone("r1");
            await h.At(2200);
            Assert.Equal([(turn, false), (turn, true)], h.Engine.CallerTexts);

            // The answer to the keys: no further request.
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = h.Engine.Generation, ResponseId = "r2" });
            await h.Engine.AgentAudio("a2", TestAudio.Pattern(1600));
            await h.Engine.AgentAudioDone("a2");
            await h.Engine.ResponseDone("r2");
            await h.At(3000);
        });

        Assert.Equal(2, h.Engine.CallerTexts.Count);
    }

    [Fact]
    public void Keys_pressed_while_a_caller_turn_awaits_its_answer_are_answered_by_that_response_alone()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            var feed = h.FeedAsync(TestAudio.Concat(TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(2500)));

            // Our VAD closed the turn at 2000 ms: the engine owes it a response.
            await h.At(2100);
            await h.Session.OnDtmfAsync("5");
            await h.At(3200);
            Assert.False(Assert.Single(h.Engine.CallerTexts).Respond);
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = h.Engine.Generation, ResponseId = "r1" });
            await h.Engine.AgentAudio("a1", TestAudio.Pattern(1600));
            await h.Engine.AgentAudioDone("a1");
            await h.Engine.ResponseDone("r1");
            await feed;
            await h.At(4500);
        });

        Assert.False(Assert.Single(h.Engine.CallerTexts).Respond);
    }

    [Fact]
    public void Keys_pressed_before_the_engine_is_ready_are_given_to_it_once_it_is()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.At(100);
            await h.Session.OnDtmfAsync("0");
            await h.At(1300);
            Assert.Empty(h.Engine.CallerTexts);
            await h.Engine.Ready();
            await h.At(1320);
        });

        var (turn, respond) = Assert.Single(h.Engine.CallerTexts);
        Assert.Equal("[DTMF 0]", turn.Text);
        Assert.True(respond);
    }

    [Fact]
    public void After_a_handoff_the_keys_are_in_the_seeded_history_and_owed_the_one_response_later_keys_come_before_it()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            await h.At(500);
            await h.Session.OnDtmfAsync("1");
            await h.At(1600);
            Assert.True(Assert.Single(a.CallerTexts).Respond);

            // The primary's socket drops before it answers.
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            await h.At(1700);
            await h.Session.OnDtmfAsync("2");
            await h.At(2800);
            var b = await chain.Engine(1);
            Assert.Empty(b.CallerTexts);
            await b.Ready();
            await h.At(2820);
        });

        var b = chain.Created[1].Engine;
        Assert.True(b.Start!.Seeding);
        Assert.Contains(b.Start.Conversation.Turns, t => t.Dtmf == "1");
        var (late, respond) = Assert.Single(b.CallerTexts);
        Assert.Equal(("2", false), (late.Dtmf, respond));
        Assert.Equal([null], b.ResponseRequests);
        var sw = Assert.Single(summary.Switches!);
        Assert.Equal(1, sw.HistoryTurnsCarried);
        Assert.Equal(500, sw.CallerSpeechEndMs);
    }

    [Fact]
    public void Keys_pressed_mid_utterance_do_not_move_the_audio_replay_point()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(TestAudio.Concat(TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(1500)));

            // The key mid-utterance is a turn (at 1600 ms) before the utterance's (closed at 2000 ms).
            await h.At(600);
            await h.Session.OnDtmfAsync("7");
            await h.At(2100);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            var b = await chain.Engine(1);
            await b.Ready();
            await feed;
            await h.At(3200);
        });

        // The utterance was never transcribed: the next engine hears all of it, from 300 ms before
        // it began (500 ms), not from the key pressed in its middle.
        var b = chain.Created[1].Engine;
        Assert.Equal(CallClock.MsToSamples(200), b.CallerAudio[0].Position);
        Assert.Single(b.Commits);
        Assert.InRange(b.Commits[0], 1200 * 8, 1400 * 8);
    }
}
