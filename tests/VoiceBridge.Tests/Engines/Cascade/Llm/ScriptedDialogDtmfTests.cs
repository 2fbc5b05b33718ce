using VoiceBridge.Engines.Cascade.Llm;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

/// <summary>The local dialog and keys the caller pressed: acknowledged, then the dialog goes on where it was.</summary>
public sealed class ScriptedDialogDtmfTests
{
    [Fact]
    public async Task Keys_are_acknowledged_and_the_question_waiting_for_an_answer_is_asked_again()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());

        Assert.Equal("Sure, I can help you book an appointment. Which day would that be?", (await dialog.SayAsync("I'd like to book an appointment.")).Text);
        Assert.Equal("You pressed 1. Which day would that be?", (await dialog.SayAsync("[DTMF 1]")).Text);
        Assert.Equal("And what time would you like?", (await dialog.SayAsync("Friday.")).Text);
    }

    [Fact]
    public async Task Keys_with_no_task_under_way_are_acknowledged_with_the_offer_of_help()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());

        Assert.Equal(
            "You pressed 42#. I can book, cancel or move an appointment, or tell you our opening hours. What would you like to do?",
            (await dialog.SayAsync("[DTMF 42#]")).Text);
    }
}
