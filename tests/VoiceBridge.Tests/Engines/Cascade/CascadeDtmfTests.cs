using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Cascade;

/// <summary>Keys the caller pressed reach the cascade's LLM as one user message, answered once, never while seeding.</summary>
public sealed class CascadeDtmfTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Keys_are_a_user_message_the_llm_answers_and_keys_already_seeded_are_not_added_twice()
    {
        var conversation = new Conversation("be brief");
        var seeded = conversation.Add(Keys("1"));
        var later = Keys("2");
        var chat = new RecordingChatClient(h => [new TextContent($"You pressed {h[^1].Text[6..^1]}.")]);
        var events = Run(chat, conversation, engine =>
        {
            engine.SendCallerText(seeded, respond: false);
            engine.SendCallerText(later, respond: true);
        });

        var request = Assert.Single(chat.Requests);
        Assert.Equal(["be brief", "[DTMF 1]", "[DTMF 2]"], request.Select(m => m.Text));
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.User], request.Select(m => m.Role));
        Assert.Equal("You pressed 2.", events.Of(EngineEventKind.AgentTranscript).Single().Text);
    }

    [Fact]
    public void Keys_sent_while_seeding_wait_for_the_one_response()
    {
        var chat = new RecordingChatClient(h => [new TextContent("Noted.")]);
        var keys = Keys("9");
        Run(chat, new Conversation("be brief"), engine =>
        {
            engine.SendCallerText(keys, respond: true);
            Assert.Empty(chat.Requests);
            engine.EndSeeding(respond: true);
        }, seeding: true);

        Assert.Equal("[DTMF 9]", Assert.Single(chat.Requests)[^1].Text);
    }

    private static ConversationTurn Keys(string digits) => new()
    {
        Role = TurnRole.User, Engine = "test", Text = DtmfText.Format(digits), Dtmf = digits,
    };

    private EventLog Run(IChatClient chat, Conversation conversation, Action<CascadeEngine> act, bool seeding = false)
    {
        var events = new EventLog();
        var engine = new CascadeEngine(
            new CascadeEngineOptions(), () => new ScriptedSpeechToText(), chat, new EspeakTextToSpeech(new ToneSynthesizer()), _time, NullLogger<CascadeEngine>.Instance);
        VirtualTimeLoop.Run(_time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), async () =>
        {
            await engine.StartAsync(new EngineStart(1, conversation, [], events) { Seeding = seeding }, CancellationToken.None);
            act(engine);
            await _time.Elapse(TimeSpan.FromSeconds(2));
            await engine.DisposeAsync();
            return 0;
        });
        return events;
    }
}
