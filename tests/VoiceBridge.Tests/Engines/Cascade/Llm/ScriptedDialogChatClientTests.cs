using Microsoft.Extensions.AI;
using VoiceBridge.Engines.Cascade.Llm;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

public sealed class ScriptedDialogChatClientTests
{
    private const string Reprompt = "Sorry, I didn't catch that. Could you say it again?";

    [Fact]
    public async Task Asks_for_each_missing_slot_then_checks_and_confirms_with_the_slots_and_the_result()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());

        Assert.Equal("Sure, I can help you book an appointment. Which day would that be?", (await dialog.SayAsync("Hi, I'd like to book an appointment.")).Text);
        Assert.Equal("And what time would you like?", (await dialog.SayAsync("Friday, please.")).Text);
        Assert.Equal("May I have your name, please?", (await dialog.SayAsync("At 10 am.")).Text);
        var check = await dialog.SayAsync("Maria Lopez.");
        Assert.Equal("One moment while I check Friday.", check.Text);
        Assert.NotNull(check.Call);
        Assert.Equal("check_availability", check.Call.Name);
        Assert.Equal("Friday", check.Call.Arguments!["day"]);
        Assert.Equal(ChatFinishReason.ToolCalls, check.Updates[^1].FinishReason);

        var confirmation = await dialog.RunToolAsync(check.Call);

        Assert.Equal("Thank you, Maria Lopez. Friday has openings at 10:00 and 14:30, and I've booked you in for Friday at 10 am. See you then!", confirmation.Text);
        Assert.Null(confirmation.Call);
    }

    [Fact]
    public async Task Honours_history_it_did_not_produce()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());
        dialog.History.AddRange(
        [
            new(ChatRole.User, "Hello, my name is Maria Lopez."),
            new(ChatRole.Assistant, "Hi Maria! How can I help you today?"),
            new(ChatRole.User, "Do you open on Saturdays?"),
            new(ChatRole.Assistant, "We do, from nine until one."),
        ]);

        var check = await dialog.SayAsync("Great. Can you book me in for Saturday at nine thirty?");
        var confirmation = await dialog.RunToolAsync(check.Call!);

        Assert.Equal("Saturday", check.Call!.Arguments!["day"]);
        Assert.Equal("Thank you, Maria Lopez. Saturday has openings at 10:00 and 14:30, and I've booked you in for Saturday at nine thirty. See you then!", confirmation.Text);
    }

    [Fact]
    public async Task Answers_the_result_of_a_tool_call_another_engine_made()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());
        dialog.History.AddRange(
        [
            new(ChatRole.User, "Book me for tomorrow at 3 pm, the name is John Smith."),
            new(ChatRole.Assistant, [new TextContent("Let me look."), new FunctionCallContent("call_rt_7", "check_availability", new Dictionary<string, object?> { ["day"] = "tomorrow" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_rt_7", """{"day":"tomorrow","slots":["10:00","14:30"]}""")]),
        ]);

        var reply = await dialog.ReplyAsync();

        Assert.Equal("Thank you, John Smith. Tomorrow has openings at 10:00 and 14:30, and I've booked you in for Tomorrow at 3 pm. See you then!", reply.Text);
    }

    [Theory]
    [InlineData(ConversationMessages.UnrecognisedMarker)]
    [InlineData("")]
    public async Task Reprompts_an_unrecognised_turn_and_keeps_the_task(string unrecognised)
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());
        await dialog.SayAsync("I want to book an appointment on Monday.");

        Assert.Equal(Reprompt, (await dialog.SayAsync(unrecognised)).Text);
        Assert.Equal("May I have your name, please?", (await dialog.SayAsync("At 2 pm.")).Text);
    }

    [Theory]
    [InlineData("What are your opening hours?", "We're open Monday to Friday, eight to six, and Saturday mornings, nine to one.")]
    [InlineData("Are you open on Saturday?", "Yes, we're open on Saturdays from nine to one.")]
    [InlineData("No, that's all. Goodbye!", "Thank you for calling Bright Smile Dental. Goodbye!")]
    [InlineData("Hi, my name is Ann Lee.", "Nice to meet you, Ann Lee. How can I help you today?")]
    [InlineData("Is the weather nice?", "I can book, cancel or move an appointment, or tell you our opening hours. What would you like to do?")]
    public async Task Answers_questions(string question, string answer) =>
        Assert.Equal(answer, (await new DialogHarness(new ScriptedDialogChatClient()).SayAsync(question)).Text);

    [Fact]
    public async Task Cancels_once_it_knows_who_and_which_day()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());

        Assert.Equal("I can help you cancel. May I have your name, please?", (await dialog.SayAsync("I need to cancel my appointment.")).Text);
        Assert.Equal("Which day would that be?", (await dialog.SayAsync("It's Ann Lee.")).Text);
        Assert.Equal("Done, Ann Lee. I've cancelled your appointment on Thursday. Is there anything else I can help with?", (await dialog.SayAsync("Thursday")).Text);
    }

    [Fact]
    public async Task Moves_with_the_tool_and_answers_a_question_without_losing_the_task()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());
        await dialog.SayAsync("Hello, my name is Ann Lee.");

        Assert.Equal("Sure, let's find you a new time. Which day would that be?", (await dialog.SayAsync("Can I move my appointment?")).Text);
        Assert.Equal(
            "We're open Monday to Friday, eight to six, and Saturday mornings, nine to one. Which day would that be?",
            (await dialog.SayAsync("Wait, what are your hours?")).Text);
        var check = await dialog.SayAsync("Tuesday at 11 am then.");
        var done = await dialog.RunToolAsync(check.Call!);

        Assert.Equal("Done, Ann Lee. Tuesday has openings at 09:30 and 15:00, and I've moved your appointment to Tuesday at 11 am.", done.Text);
    }

    [Fact]
    public async Task A_second_booking_asks_for_a_new_day_and_time_but_remembers_the_name()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient());
        var first = await dialog.SayAsync("Book an appointment for Friday at 10 am, my name is Maria Lopez.");
        await dialog.RunToolAsync(first.Call!);

        Assert.Equal("Sure, I can help you book an appointment. Which day would that be?", (await dialog.SayAsync("Can I also book a cleaning?")).Text);
        var second = await dialog.SayAsync("Monday at 2 pm.");

        Assert.Equal("call_scripted_2", second.Call!.CallId);
        Assert.Contains("Maria Lopez", (await dialog.RunToolAsync(second.Call)).Text);
    }

    [Fact]
    public async Task Without_the_tool_offered_it_books_without_calling_it()
    {
        var dialog = new DialogHarness(new ScriptedDialogChatClient(), offerTools: false);

        var reply = await dialog.SayAsync("Book an appointment for Friday at 10 am, my name is Maria Lopez.");

        Assert.Null(reply.Call);
        Assert.Equal("Sure, I can help you book an appointment. Thank you, Maria Lopez. You're booked for Friday at 10 am.", reply.Text);
    }

    [Fact]
    public async Task Streams_word_by_word_and_says_what_it_is()
    {
        var client = new ScriptedDialogChatClient();
        var dialog = new DialogHarness(client);

        var reply = await dialog.SayAsync("What are your opening hours?");
        var whole = await client.GetResponseAsync(dialog.History[..^1]);

        var words = reply.Updates.Where(u => u.Text.Length > 0).Select(u => u.Text).ToList();
        Assert.Equal(14, words.Count);
        Assert.All(words.Skip(1), w => Assert.Matches(@"^ \S+$", w));
        Assert.All(reply.Updates, u => Assert.Equal(ScriptedDialogChatClient.Model, u.ModelId));
        Assert.Equal(ChatFinishReason.Stop, reply.Updates[^1].FinishReason);
        Assert.Equal(reply.Text, whole.Text);
        Assert.Equal(ScriptedDialogChatClient.Model, whole.ModelId);
        Assert.Equal(ScriptedDialogChatClient.Model, client.GetService<ChatClientMetadata>()!.DefaultModelId);
    }
}
