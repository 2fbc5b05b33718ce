using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>
/// Keys the caller pressed, on the wire to the simulator (one fake clock, in-memory sockets): a
/// user <c>input_text</c> message, <c>response.create</c> only when asked, the same turn never
/// twice (seeded history or sent), and the simulator's script answers the keys.
/// </summary>
public sealed class RealtimeDtmfTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Keys_go_as_a_user_input_text_message_then_one_response_create_and_the_answer_names_them()
    {
        var keys = Keys("42#");
        var (events, session) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder, simulator) = await StartAsync(new Conversation("You book dental appointments."));
            engine.SendCallerText(keys, respond: true);
            await WaitForAsync(recorder, EngineEventKind.ResponseDone);
            await engine.DisposeAsync();
            return (recorder.Events, simulator.Control.Sessions.Single());
        });

        var item = Assert.Single(session.ItemsCreated);
        Assert.Equal((RealtimeItemType.Message, RealtimeRole.User, RealtimeContentType.InputText, "[DTMF 42#]"), (item.Type, item.Role!.Value, item.ContentType!.Value, item.Text));
        Assert.Single(session.Events, e => e.Kind == SimulatedEventKind.ResponseCreate);
        Assert.Equal("I got 42# on your keypad.", events.Single(e => e.Kind == EngineEventKind.AgentTranscript).Text);
    }

    [Fact]
    public void Keys_without_a_response_are_only_added_to_the_conversation()
    {
        var session = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, _, simulator) = await StartAsync(new Conversation("You book dental appointments."));
            engine.SendCallerText(Keys("3"), respond: false);
            await _time.Elapse(TimeSpan.FromSeconds(2));
            await engine.DisposeAsync();
            return simulator.Control.Sessions.Single();
        });

        Assert.Equal("[DTMF 3]", Assert.Single(session.ItemsCreated).Text);
        Assert.Equal(0, session.Responses);
    }

    [Fact]
    public void Keys_already_in_the_seeded_history_are_not_sent_again_only_the_response_is_asked_for()
    {
        var conversation = new Conversation("You book dental appointments.");
        conversation.Add(new ConversationTurn { Role = TurnRole.User, Engine = "old", Text = "I'd like to book an appointment.", Transcribed = true });
        conversation.Add(new ConversationTurn { Role = TurnRole.Assistant, Engine = "old", Text = "Which day? Press 1 for tomorrow." });
        var keys = conversation.Add(Keys("1"));
        var (events, session) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder, simulator) = await StartAsync(conversation);
            engine.SendCallerText(keys, respond: true);
            await WaitForAsync(recorder, EngineEventKind.ResponseDone);
            await engine.DisposeAsync();
            return (recorder.Events, simulator.Control.Sessions.Single());
        });

        Assert.Equal(
            [(RealtimeRole.User, "I'd like to book an appointment."), (RealtimeRole.Assistant, "Which day? Press 1 for tomorrow."), (RealtimeRole.User, "[DTMF 1]")],
            session.ItemsCreated.Select(i => (i.Role!.Value, i.Text)));
        Assert.Single(session.Events, e => e.Kind == SimulatedEventKind.ResponseCreate);
        Assert.Equal("I got 1 on your keypad.", events.Single(e => e.Kind == EngineEventKind.AgentTranscript).Text);
    }

    private static ConversationTurn Keys(string digits) => new()
    {
        Role = TurnRole.User, Engine = "test", Text = DtmfText.Format(digits), Dtmf = digits,
    };

    private async Task<(RealtimeEngine Engine, EngineEventRecorder Events, RealtimeSimulator Simulator)> StartAsync(Conversation conversation)
    {
        var network = new InMemoryNetwork();
        var simulator = new RealtimeSimulator(new SimulatorOptions(), _time, NullLogger<RealtimeSimulator>.Instance);
        network.Listen("openai.sim", simulator.HandleAsync);
        var engine = new RealtimeEngine(
            new RealtimeEngineOptions { Endpoint = new Uri("ws://openai.sim/v1/realtime"), Simulated = true }, network, _time, NullLogger<RealtimeEngine>.Instance);
        var recorder = new EngineEventRecorder();
        await engine.StartAsync(new EngineStart(1, conversation, [], recorder), CancellationToken.None);
        await WaitForAsync(recorder, EngineEventKind.Ready);
        return (engine, recorder, simulator);
    }

    /// <summary>Waits on the fake clock for the first event of a kind.</summary>
    private async Task WaitForAsync(EngineEventRecorder recorder, EngineEventKind kind)
    {
        for (var waited = TimeSpan.Zero; recorder.OfKind(kind).Count == 0; waited += Poll)
        {
            Assert.True(waited < TimeSpan.FromSeconds(30), $"no {kind} within 30 s; got: {string.Join(", ", recorder.Events.Select(e => e.Kind))}");
            await _time.Elapse(Poll);
        }
    }
}
