using System.Text.Json;
using Microsoft.Extensions.AI;
using VoiceBridge.Call;
using VoiceBridge.Engines.Cascade.Llm;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

public sealed class ConversationMessagesTests
{
    [Fact]
    public void Maps_instructions_turns_as_heard_and_tool_calls_as_pairs_in_order()
    {
        var conversation = new Conversation("You are the front desk.");
        conversation.Add(User("I'd like to book for Friday at ten.", 1_000));
        conversation.Add(new ConversationTurn
        {
            Role = TurnRole.Assistant, Engine = "openai-realtime", StartMs = 4_000,
            Text = "Let me check Friday for you, and then I will read you every free slot we have.",
            HeardText = "Let me check Friday for you,", Interrupted = true,
        });
        conversation.AddToolCall(new ToolCallRecord("call_1", "check_availability", """{"day":"Friday"}""", """{"slots":["10:00"]}""", "openai-realtime", 4_500));
        conversation.Add(new ConversationTurn { Role = TurnRole.Assistant, Engine = "local", StartMs = 5_000, Text = "Ten is free." });
        conversation.Add(User("", 7_000));

        var messages = ConversationMessages.From(conversation);

        Assert.Collection(
            messages,
            m => Assert.Equal((ChatRole.System, "You are the front desk."), (m.Role, m.Text)),
            m => Assert.Equal((ChatRole.User, "I'd like to book for Friday at ten."), (m.Role, m.Text)),
            m => Assert.Equal((ChatRole.Assistant, "Let me check Friday for you,"), (m.Role, m.Text)),
            m =>
            {
                var call = Assert.IsType<FunctionCallContent>(Assert.Single(m.Contents));
                Assert.Equal((ChatRole.Assistant, "call_1", "check_availability"), (m.Role, call.CallId, call.Name));
                Assert.Equal("Friday", ((JsonElement)call.Arguments!["day"]!).GetString());
            },
            m =>
            {
                var result = Assert.IsType<FunctionResultContent>(Assert.Single(m.Contents));
                Assert.Equal((ChatRole.Tool, "call_1", """{"slots":["10:00"]}"""), (m.Role, result.CallId, result.Result));
            },
            m => Assert.Equal((ChatRole.Assistant, "Ten is free."), (m.Role, m.Text)),
            m => Assert.Equal((ChatRole.User, ConversationMessages.UnrecognisedMarker), (m.Role, m.Text)));
    }

    [Fact]
    public void Leaves_out_what_the_caller_never_heard_and_keeps_unplayed_turns_in_place()
    {
        var conversation = new Conversation("");
        conversation.Add(User("Hello?", 500));
        conversation.Add(new ConversationTurn { Role = TurnRole.Assistant, Engine = "e", Text = "Hi there!", HeardText = "", Interrupted = true, StartMs = 900 });
        conversation.Add(new ConversationTurn { Role = TurnRole.Assistant, Engine = "e", Text = "Not played yet." });
        conversation.AddToolCall(new ToolCallRecord("c", "t", "not json", "{}", "e", 800));

        var messages = ConversationMessages.From(conversation);

        Assert.Equal(["user", "assistant", "tool", "assistant"], messages.Select(m => m.Role.Value));
        Assert.Equal("Not played yet.", messages[^1].Text);
        var call = Assert.IsType<FunctionCallContent>(messages[1].Contents[0]);
        Assert.NotNull(call.Exception);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("  ", true)]
    [InlineData("[unrecognised]", true)]
    [InlineData(" [Unrecognised] ", true)]
    [InlineData("Friday", false)]
    public void Knows_the_unrecognised_convention(string text, bool unrecognised) =>
        Assert.Equal(unrecognised, ConversationMessages.IsUnrecognised(text));

    private static ConversationTurn User(string text, long startMs) =>
        new() { Role = TurnRole.User, Engine = "e", Text = text, StartMs = startMs, EndMs = startMs + 1_000 };
}
