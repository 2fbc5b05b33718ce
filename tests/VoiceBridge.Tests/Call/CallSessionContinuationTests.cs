using VoiceBridge.Call;
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
        var (requests, summary) = LoseTwoEngines(_ => Task.CompletedTask);

        Assert.Equal(["Happy to"], requests);
        Assert.Equal([true, true], summary.Switches!.Select(s => s.ContinuesReply));
    }

    [Fact]
    public void A_continuation_that_begins_with_a_tool_call_is_still_owed_when_its_engine_fails()
    {
        var (requests, summary) = LoseTwoEngines(async b =>
        {
            await b.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = b.Generation, ResponseId = "rb" });
            await b.ToolCall("call_1", "check_availability", """{"day":"Friday"}""");
            await b.ResponseDone("rb");
        });

        Assert.Equal(["Happy to"], requests);
        Assert.Equal([true, true], summary.Switches!.Select(s => s.ContinuesReply));
    }

    [Fact]
    public void A_continuation_already_queued_behind_the_cut_reply_is_not_said_again_after_its_engine_fails()
    {
        // The whole continuation arrives while the cut reply's second of audio still plays.
        var (requests, summary) = LoseTwoEngines(async b =>
        {
            await b.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = b.Generation, ResponseId = "rb" });
            await b.AgentTranscript("b0", "help you.");
            await b.AgentAudio("b0", TestAudio.Pattern(1600));
            await b.AgentAudioDone("b0");
            await b.ResponseDone("rb");
        });

        Assert.Empty(requests);
        Assert.Equal([true, false], summary.Switches!.Select(s => s.ContinuesReply));
    }

    [Fact]
    public void A_reply_cut_before_any_of_its_words_were_known_is_answered_afresh_by_the_next_engine()
    {
        // Audio came, its transcript did not: there is nothing to continue after. The caller heard a
        // fragment of sound and is owed an answer, which the next engine gives in full (CutFirstReply
        // checks it was asked for one, with no words to continue after).
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var (b, feed) = await CutFirstReply(h, chain, words: null);
            Assert.True(h.Session.HandoffOwesCaller);
            await h.Reply(b, "b0", TurnEnds[0] + 1100);
            await h.At(TurnEnds[0] + 2500);
            Assert.False(h.Session.HandoffOwesCaller);
            await feed;
        });

        var sw = Assert.Single(summary.Switches!);
        Assert.False(sw.ContinuesReply);
        Assert.Equal(TurnEnds[0], sw.CallerSpeechEndMs);
        Assert.NotNull(sw.HandoffMs);
    }

    /// <summary>
    /// Cuts engine a's first reply (<see cref="CutFirstReply"/>), lets engine b do
    /// <paramref name="meanwhile"/>, then loses b's socket too: what engine c was asked to say, and the call.
    /// </summary>
    private (List<string?> Requests, CallSummary Summary) LoseTwoEngines(Func<ScriptedEngine, Task> meanwhile)
    {
        var chain = new ScriptedChain("a", "b", "c");
        var h = new CallHarness(output, chain: chain);
        List<string?> requests = [];
        var summary = h.Run(async () =>
        {
            var (b, feed) = await CutFirstReply(h, chain, "Happy to ");
            await meanwhile(b);
            await h.At(TurnEnds[0] + 1100);
            await b.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = b.Generation, Text = "socket lost" });
            var c = await chain.Engine(2);
            await c.Ready();
            await h.At(TurnEnds[0] + 1200);
            requests = c.ResponseRequests;
            await feed;
        });
        return (requests, summary);
    }

    /// <summary>
    /// The caller's first turn; engine a's reply to it is cut by a lost socket after 1 s of its
    /// audio and <paramref name="words"/> of its transcript (null: none yet); engine b is ready and
    /// was asked to continue after those words (without them: to answer in full). The caller's audio
    /// (that turn only) goes on feeding.
    /// </summary>
    private static async Task<(ScriptedEngine B, Task Feed)> CutFirstReply(CallHarness h, ScriptedChain chain, string? words)
    {
        var a = await chain.Engine(0);
        await a.Ready();
        var feed = h.FeedAsync(FourBursts.AsSpan(0, 8 * 3500).ToArray());
        await h.At(TurnEnds[0] + 600);
        await a.UserTranscript("u0", "hello");
        await h.At(TurnEnds[0] + 800);
        if (words is not null)
        {
            await a.Post(new EngineEvent { Kind = EngineEventKind.AgentTranscriptDelta, Generation = a.Generation, ItemId = "a0", Text = words });
        }

        await a.AgentAudio("a0", TestAudio.Pattern(8000));
        await h.At(TurnEnds[0] + 900);
        await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
        var b = await chain.Engine(1);
        await b.Ready();
        await h.At(TurnEnds[0] + 1000);
        Assert.Equal([words?.Trim()], b.ResponseRequests);
        return (b, feed);
    }
}
