using VoiceBridge.Call;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>A call session taking a call up from a checkpoint (docs/scale-out.md), and the checkpoints it hands out at turn boundaries.</summary>
public sealed class CallSessionResumeTests(ITestOutputHelper output)
{
    [Fact]
    public void When_the_caller_spoke_last_the_first_engine_is_seeded_with_the_history_and_answers_once()
    {
        var h = new CallHarness(output);
        h.Session.Resume(Checkpoint(h, callerLast: true));

        h.Run(async () =>
        {
            var start = await h.Engine.Started;
            Assert.True(start.Seeding);
            Assert.Equal(3, start.Conversation.Turns.Count);
            await h.Engine.Ready();
            await h.At(100);
        });

        Assert.True(h.Engine.SeedingEnded);
        Assert.Equal([null], h.Engine.ResponseRequests);
        Assert.Equal(1, h.Session.Resumes);
    }

    [Fact]
    public void When_the_agent_spoke_last_the_engine_starts_with_the_history_and_waits_for_the_caller()
    {
        var h = new CallHarness(output);
        h.Session.Resume(Checkpoint(h, callerLast: false));

        h.Run(async () =>
        {
            var start = await h.Engine.Started;
            Assert.False(start.Seeding);
            Assert.Equal(["hello i would like to book", "Which day would that be?"], start.Conversation.Turns.Select(t => t.Text));
            await h.Engine.Ready();
            await h.At(100);
        });

        Assert.False(h.Engine.SeedingEnded);
        Assert.Empty(h.Engine.ResponseRequests);
    }

    [Fact]
    public void A_turn_boundary_hands_out_the_whole_conversation_restored_turns_first()
    {
        var h = new CallHarness(output);
        h.Session.Resume(Checkpoint(h, callerLast: true));
        var checkpoints = new List<ConversationCheckpoint>();
        h.Session.TurnBoundary += checkpoints.Add;

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Reply(h.Engine, "item-1", 200);
            await h.At(400);
        });

        var last = checkpoints[^1];
        Assert.Equal(["hello i would like to book", "Which day would that be?", "tomorrow", "Sure thing."], last.Turns.Select(t => t.Text));
        Assert.All(last.Turns.Take(3), t => Assert.True(t.EndMs < 0));
        Assert.False(last.ReplyOwed);
        Assert.Equal((1, false, h.Session.CallId), (last.Resumes, last.Ended, last.CallSid));
        Assert.Single(last.ToolCalls);
    }

    [Fact]
    public void A_call_that_already_runs_cannot_be_resumed()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            Assert.Throws<InvalidOperationException>(() => h.Session.Resume(Checkpoint(h, callerLast: true)));
        });
    }

    private static ConversationCheckpoint Checkpoint(CallHarness h, bool callerLast) => new()
    {
        CallSid = h.Session.CallId,
        Node = "node-a",
        StreamStartedAt = h.Time.GetUtcNow() - TimeSpan.FromSeconds(30),
        Turns =
        [
            new CheckpointTurn("User", "scripted", "hello i would like to book", null, 500, 2500, null, false),
            new CheckpointTurn("Assistant", "scripted", "Which day would that be?", "Which day would that be?", 3000, 4500, null, false),
            .. callerLast ? (CheckpointTurn[])[new CheckpointTurn("User", "scripted", "tomorrow", null, 6000, 7000, null, false)] : [],
        ],
        ToolCalls = [new ToolCallRecord("call_1", "check_availability", """{"day":"Tomorrow"}""", "{}", "scripted", 3200)],
    };
}
