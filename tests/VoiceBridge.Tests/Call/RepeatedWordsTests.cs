using VoiceBridge.Call;

namespace VoiceBridge.Tests.Call;

public sealed class RepeatedWordsTests
{
    private static ConversationTurn Agent(string engine, string text, string? heard = null) =>
        new() { Role = TurnRole.Assistant, Engine = engine, Text = text, HeardText = heard };

    private static ConversationTurn Caller(string text) => new() { Role = TurnRole.User, Engine = "primary", Text = text };

    [Fact]
    public void A_continuation_that_starts_with_the_words_just_heard_repeats_them()
    {
        var cut = Agent("primary", "Your appointment on Friday is cancelled.", heard: "Your appointment on Friday");
        var next = Agent("local", "on Friday is cancelled.");
        Assert.Equal(2, RepeatedWords.Count([Caller("Cancel Friday please."), cut, next], cut, next));
    }

    [Fact]
    public void A_continuation_that_picks_up_after_the_heard_words_repeats_nothing()
    {
        var cut = Agent("primary", "Your appointment on Friday is cancelled.", heard: "Your appointment on Friday");
        var next = Agent("local", "is cancelled.");
        Assert.Equal(0, RepeatedWords.Count([cut, next], cut, next));
    }

    [Fact]
    public void A_reply_to_a_caller_turn_after_the_cut_is_not_a_repetition_of_the_cut_reply()
    {
        var cut = Agent("primary", "Thank you, John.", heard: "Thank");
        var caller = Caller("No, that's all, thank you, goodbye.");
        var next = Agent("local", "Thank you for calling Bright Smile Dental. Goodbye!");
        Assert.Equal(0, RepeatedWords.Count([cut, caller, next], cut, next));
    }

    [Fact]
    public void Punctuation_and_case_do_not_hide_a_repetition()
    {
        var cut = Agent("primary", "Sure. Which day suits you?", heard: "Sure. Which day");
        var next = Agent("local", "which DAY suits you?");
        Assert.Equal(2, RepeatedWords.Count([cut, next], cut, next));
    }

    [Fact]
    public void No_reply_on_either_side_counts_nothing()
    {
        var cut = Agent("primary", "Hello");
        Assert.Equal(0, RepeatedWords.Count([cut], cut, null));
        Assert.Equal(0, RepeatedWords.Count([cut], null, cut));
    }
}
