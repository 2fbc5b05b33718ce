using VoiceBridge.Engines;

namespace VoiceBridge.Tests.Engines;

/// <summary>The continue-your-cut-reply instruction and the rule the scripted stand-ins follow.</summary>
public sealed class ContinuationTests
{
    [Fact]
    public void The_instruction_carries_the_heard_words_back_out()
    {
        var instruction = Continuation.Instruction("Happy to help. We have");

        Assert.StartsWith(Continuation.Marker, instruction, StringComparison.Ordinal);
        Assert.Equal("Happy to help. We have", Continuation.HeardOf("Be brief.\n\n" + instruction));
        Assert.Null(Continuation.HeardOf("Be brief."));
        Assert.Null(Continuation.HeardOf(null));
    }

    [Theory]
    [InlineData("Happy to help. We", "Happy to help. We have openings tomorrow.", "have openings tomorrow.")]
    [InlineData("happy TO help", "Happy to help, we have openings.", "we have openings.")]
    [InlineData("May I have your name, please?", "Got it. May I have your name, please?", "")]
    [InlineData("Got it. May I", "Got it. May I have your name, please?", "have your name, please?")]
    [InlineData("Sure, which day would that be?", "Happy to help. Which time works?", "")]
    [InlineData("Sure, I can", "Happy to help. Which time works?", "Happy to help. Which time works?")]
    [InlineData("", "Happy to help.", "Happy to help.")]
    [InlineData("Yes, we are", "Yes, we're open on Saturday.", "we're open on Saturday.")]
    [InlineData("Got it.", "Thank you. What name should I put the booking under?", "Thank you. What name should I put the booking under?")]
    [InlineData("Yes, we are open on Saturday from nine to one.", "Yes, we're open on Saturdays from nine to one.", "")]
    [InlineData("I can help with that. Which appointment would you", "I can help you cancel. May I have your name, please?", "cancel. May I have your name, please?")]
    public void A_stand_in_says_what_follows_the_heard_words_nothing_after_a_whole_sentence_else_its_reply(string heard, string reply, string expected) =>
        Assert.Equal(expected, Continuation.Remainder(heard, reply));
}
