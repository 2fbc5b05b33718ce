using VoiceBridge.Call;
using VoiceBridge.Engines.Realtime;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>The seeding budget: recent entries as items, older ones summarised newest first, the rest left out and counted.</summary>
public sealed class RealtimeSeedPlanTests
{
    [Fact]
    public void Recent_turns_within_the_item_budget_go_as_items_and_the_ones_before_are_summarised_in_order()
    {
        var conversation = new Conversation("Be brief.");
        conversation.Add(new ConversationTurn { Role = TurnRole.User, Engine = "a", Text = "I need an appointment.", StartMs = 0 });
        conversation.Add(new ConversationTurn { Role = TurnRole.Assistant, Engine = "a", Text = "Which day suits you best?", HeardText = "Which day", StartMs = 1000 });
        conversation.AddToolCall(new ToolCallRecord("call_1", "check_availability", "{\"day\":\"friday\"}", "{\"slots\":[\"10:00\"]}", "a", 2000));
        conversation.Add(new ConversationTurn { Role = TurnRole.User, Engine = "a", Text = "Friday morning.", StartMs = 3000 });
        conversation.Add(new ConversationTurn { Role = TurnRole.User, Engine = "a", Text = "", StartMs = 4000 });

        // "Friday morning." is 15 characters: 4 estimated tokens, and the tool call before it does not fit in 10.
        var plan = RealtimeSeedPlan.For(conversation, itemTokens: 10, summaryTokens: 1000);

        Assert.Equal(["Friday morning."], plan.Items.Select(e => e.Text));
        Assert.Equal(1, plan.TurnsAsItems);
        Assert.Equal(2, plan.Summarised.Count);
        Assert.Equal(0, plan.Omitted);
        Assert.Equal(
            "Be brief.\n\nEarlier in this call (summarised; the turns after it are in the conversation): the caller said \"I need an appointment.\"; "
            + "you said \"Which day\"; you called check_availability({\"day\":\"friday\"}), which returned {\"slots\":[\"10:00\"]}.",
            plan.Instructions);
    }

    [Fact]
    public void A_tool_call_goes_as_an_item_with_its_output_and_nothing_is_summarised_when_everything_fits()
    {
        var conversation = new Conversation("Be brief.");
        conversation.Add(new ConversationTurn { Role = TurnRole.User, Engine = "a", Text = "Anything on Friday?", StartMs = 0 });
        conversation.AddToolCall(new ToolCallRecord("call_1", "check_availability", "{}", "{}", "a", 500));
        conversation.Add(new ConversationTurn { Role = TurnRole.Assistant, Engine = "a", Text = "Yes, at ten.", StartMs = 1000 });

        var plan = RealtimeSeedPlan.For(conversation, itemTokens: 4000, summaryTokens: 1000);

        Assert.Equal([false, true, false], plan.Items.Select(e => e.Call is not null));
        Assert.Equal("Be brief.", plan.Instructions);
        Assert.Empty(plan.Summarised);
    }

    [Fact]
    public void Older_turns_beyond_the_summary_budget_are_left_out_and_counted_and_long_ones_are_clipped()
    {
        var conversation = new Conversation("Be brief.");
        for (var i = 0; i < 10; i++)
        {
            conversation.Add(new ConversationTurn { Role = TurnRole.User, Engine = "a", Text = $"turn {i} " + new string('x', 600), StartMs = i * 1000 });
        }

        var plan = RealtimeSeedPlan.For(conversation, itemTokens: 0, summaryTokens: 270);

        Assert.Empty(plan.Items);
        Assert.Equal(["turn 7", "turn 8", "turn 9"], plan.Summarised.Select(t => t.Text[..6]));
        Assert.Equal(7, plan.Omitted);
        Assert.True(RealtimeSeedPlan.EstimateTokens(plan.Instructions) <= RealtimeSeedPlan.EstimateTokens("Be brief.") + 270, plan.Instructions);
        Assert.DoesNotContain(new string('x', RealtimeSeedPlan.MaxSummaryEntryChars), plan.Instructions, StringComparison.Ordinal);
    }
}
