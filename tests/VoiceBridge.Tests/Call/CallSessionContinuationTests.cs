using VoiceBridge.Engines;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;
using static VoiceBridge.Tests.Call.CallSessionTriggerTests;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// A reply cut by a switch is owed to the caller until the new engine's audio of it comes: a
/// further switch before that carries the continuation on, one after it does not.
/// </summary>
public sealed class CallSessionContinuationTests(ITestOutputHelper output)
{
    [Fact]
    public void An_engine_that_fails_before_continuing_a_cut_reply_hands_the_continuation_to_the_next()
    {
        var chain = new ScriptedChain("a", "b", "c");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var (b, feed) = await CutFirstReply(h, chain);
            await b.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = b.Generation, Text = "socket lost" });
            var c = await chain.Engine(2);
            await c.Ready();
            await h.At(TurnEnds[0] + 1200);
            Assert.Equal(["Happy to"], c.ResponseRequests);
            await feed;
        });

        Assert.Equal([true, true], summary.Switches!.Select(s => s.ContinuesReply));
    }

    [Fact]
    public void A_continuation_that_begins_with_a_tool_call_is_still_owed_when_its_engine_fails()
    {
        var chain = new ScriptedChain("a", "b", "c");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var (b, feed) = await CutFirstReply(h, chain);
            await b.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = b.Generation, ResponseId = "rb" });
            await b.ToolCall("call_1", "check_availability", """{"day":"Friday"}""");
            await b.ResponseDone("rb");
            await h.At(TurnEnds[0] + 1100);
            await b.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = b.Generation, Text = "socket lost" });
            var c = await chain.Engine(2);
            await c.Ready();
            await h.At(TurnEnds[0] + 1200);
            Assert.Equal(["Happy to"], c.ResponseRequests);
            await feed;
        });

        Assert.Equal([true, true], summary.Switches!.Select(s => s.ContinuesReply));
    }

    [Fact]
    public void A_continuation_already_queued_behind_the_cut_reply_is_not_said_again_after_its_engine_fails()
    {
        var chain = new ScriptedChain("a", "b", "c");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var (b, feed) = await CutFirstReply(h, chain);

            // The whole continuation arrives while the cut reply's second of audio still plays.
            await b.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = b.Generation, ResponseId = "rb" });
            await b.AgentTranscript("b0", "help you.");
            await b.AgentAudio("b0", TestAudio.Pattern(1600));
            await b.AgentAudioDone("b0");
            await b.ResponseDone("rb");
            await h.At(TurnEnds[0] + 1100);
            await b.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = b.Generation, Text = "socket lost" });
            var c = await chain.Engine(2);
            await c.Ready();
            await h.At(TurnEnds[0] + 1200);
            Assert.Empty(c.ResponseRequests);
            await feed;
        });

        Assert.Equal([true, false], summary.Switches!.Select(s => s.ContinuesReply));
    }

    [Fact]
    public void A_reply_cut_before_any_of_its_words_were_known_owes_no_continuation()
    {
        // Audio came, its transcript did not: there is nothing to continue after, and no debt that
        // would keep a caller waiting for a continuation that is never asked for.
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts.AsSpan(0, 8 * 2500).ToArray());
            await h.At(TurnEnds[0] + 600);
            await a.UserTranscript("u0", "hello");
            await h.At(TurnEnds[0] + 800);
            await a.AgentAudio("a0", TestAudio.Pattern(8000));
            await h.At(TurnEnds[0] + 900);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            var b = await chain.Engine(1);
            await b.Ready();
            await h.At(TurnEnds[0] + 1000);
            Assert.Empty(b.ResponseRequests);
            Assert.False(h.Session.HandoffOwesCaller);
            await feed;
        });

        Assert.False(Assert.Single(summary.Switches!).ContinuesReply);
    }

    /// <summary>
    /// The caller's first turn; engine a's reply to it is cut by a lost socket after two of its
    /// words and 1 s of audio; engine b is ready and asked to continue after "Happy to". The
    /// caller's audio (that turn only) goes on feeding.
    /// </summary>
    private static async Task<(ScriptedEngine B, Task Feed)> CutFirstReply(CallHarness h, ScriptedChain chain)
    {
        var a = await chain.Engine(0);
        await a.Ready();
        var feed = h.FeedAsync(FourBursts.AsSpan(0, 8 * 2500).ToArray());
        await h.At(TurnEnds[0] + 600);
        await a.UserTranscript("u0", "hello");
        await h.At(TurnEnds[0] + 800);
        await a.Post(new EngineEvent { Kind = EngineEventKind.AgentTranscriptDelta, Generation = a.Generation, ItemId = "a0", Text = "Happy to " });
        await a.AgentAudio("a0", TestAudio.Pattern(8000));
        await h.At(TurnEnds[0] + 900);
        await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
        var b = await chain.Engine(1);
        await b.Ready();
        await h.At(TurnEnds[0] + 1000);
        Assert.Equal(["Happy to"], b.ResponseRequests);
        return (b, feed);
    }
}
