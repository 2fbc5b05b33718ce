using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>
/// FAILOVER.md step 4 on the wire, against a scripted provider on one fake clock: the history is
/// created only once <c>session.updated</c> confirmed the update, Ready (and so caller audio and
/// <c>response.create</c>) only once every item was acknowledged by its id, each wait bounded (a
/// provider that does not confirm fails the start), and a long call seeds only its recent turns as
/// items, the older ones summarised into the instructions.
/// </summary>
public sealed class RealtimeStartTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);
    private const string Instructions = "You book dental appointments.";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Items_are_created_after_session_updated_and_Ready_comes_once_every_item_was_added()
    {
        var provider = new ScriptedRealtimeProvider(_time) { UpdateDelay = TimeSpan.FromMilliseconds(300), AckDelay = TimeSpan.FromMilliseconds(200) };
        var (log, events) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder) = Engine(provider);
            await engine.StartAsync(new EngineStart(1, Conversation(3, 40), [], recorder) { Seeding = true }, CancellationToken.None);
            var atStart = (provider.Log, recorder.Events);
            await engine.DisposeAsync();
            return atStart;
        });

        var what = log.Select(e => e.What).ToList();
        Assert.Equal(
            ["in session.update", "out session.updated", "in conversation.item.create", "in conversation.item.create", "in conversation.item.create",
                "out conversation.item.added", "out conversation.item.added", "out conversation.item.added"],
            what);
        Assert.Equal(Texts(Conversation(3, 40)), provider.Items.Select(i => i.Text));
        Assert.Equal([EngineEventKind.Ready], events.Select(e => e.Kind));
    }

    [Fact]
    public void A_provider_that_never_confirms_the_session_update_fails_the_start_and_gets_no_history()
    {
        var provider = new ScriptedRealtimeProvider(_time) { UpdateDelay = null };
        var (error, elapsed, events) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder) = Engine(provider);
            var started = _time.GetTimestamp();
            var thrown = await Record.ExceptionAsync(() => engine.StartAsync(new EngineStart(1, Conversation(4, 40), [], recorder) { Seeding = true }, CancellationToken.None));
            var result = (thrown, _time.GetElapsedTime(started), recorder.Events);
            await engine.DisposeAsync();
            return result;
        });

        Assert.IsType<TimeoutException>(error);
        Assert.Contains("session.updated", error.Message, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2) + Step);
        Assert.Empty(provider.Items);
        Assert.Empty(events);
    }

    [Fact]
    public void A_provider_that_never_acknowledges_an_item_fails_the_start_without_Ready()
    {
        var provider = new ScriptedRealtimeProvider(_time) { AckDelay = null };
        var (error, events) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder) = Engine(provider);
            var thrown = await Record.ExceptionAsync(() => engine.StartAsync(new EngineStart(1, Conversation(2, 40), [], recorder) { Seeding = true }, CancellationToken.None));
            var result = (thrown, recorder.Events);
            await engine.DisposeAsync();
            return result;
        });

        Assert.IsType<TimeoutException>(error);
        Assert.Contains("conversation.item.added", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, provider.Items.Count);
        Assert.Empty(events);
    }

    [Fact]
    public void A_provider_that_closes_while_seeding_fails_the_start_at_once_and_reports_it_once()
    {
        var provider = new ScriptedRealtimeProvider(_time) { CloseOnFirstItem = true };
        var (error, elapsed, events) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder) = Engine(provider);
            var started = _time.GetTimestamp();
            var thrown = await Record.ExceptionAsync(() => engine.StartAsync(new EngineStart(1, Conversation(2, 40), [], recorder) { Seeding = true }, CancellationToken.None));
            var failedAfter = _time.GetElapsedTime(started);
            await _time.Elapse(TimeSpan.FromSeconds(3));
            var posted = recorder.Events;
            await engine.DisposeAsync();
            return (thrown, failedAfter, posted);
        });

        Assert.IsType<IOException>(error);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"failed after {elapsed}");
        Assert.Empty(events);
    }

    [Fact]
    public void A_long_call_seeds_its_recent_turns_as_items_within_the_budget_and_summarises_the_older_ones()
    {
        // 60 turns of 400 characters (100 estimated tokens each): 40 fit the 4000-token item budget.
        var conversation = Conversation(60, 400);
        var provider = new ScriptedRealtimeProvider(_time);
        VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder) = Engine(provider);
            await engine.StartAsync(new EngineStart(1, conversation, [], recorder) { Seeding = true }, CancellationToken.None);
            await engine.DisposeAsync();
            return 0;
        });

        var texts = Texts(conversation);
        Assert.Equal(texts[20..], provider.Items.Select(i => i.Text));
        var instructions = provider.Instructions[0]!;
        Assert.StartsWith(Instructions + "\n\nEarlier in this call", instructions, StringComparison.Ordinal);
        Assert.Contains(texts[19][..100], instructions, StringComparison.Ordinal);
        Assert.DoesNotContain(texts[0][..100], instructions, StringComparison.Ordinal);
        Assert.InRange(instructions.Length, Instructions.Length + 1000, Instructions.Length + (1000 * 4));
    }

    private (RealtimeEngine Engine, EngineEventRecorder Recorder) Engine(ScriptedRealtimeProvider provider)
    {
        var network = new InMemoryNetwork();
        network.Listen("openai.sim", provider.HandleAsync);
        var engine = new RealtimeEngine(
            new RealtimeEngineOptions { Endpoint = new Uri("ws://openai.sim/v1/realtime"), Simulated = true }, network, _time, NullLogger<RealtimeEngine>.Instance);
        return (engine, new EngineEventRecorder());
    }

    /// <summary><paramref name="turns"/> turns, caller and agent in turn, each <paramref name="length"/> characters and unique from its start.</summary>
    private static Conversation Conversation(int turns, int length)
    {
        var conversation = new Conversation(Instructions);
        for (var i = 0; i < turns; i++)
        {
            var role = i % 2 == 0 ? TurnRole.User : TurnRole.Assistant;
            var text = $"Turn {i:D3} by the {role}: " + string.Concat(Enumerable.Repeat($"words of turn {i:D3} ", length));
            conversation.Add(new ConversationTurn { Role = role, Engine = "old", Text = text[..length], StartMs = i * 1000, Transcribed = true });
        }

        return conversation;
    }

    private static List<string> Texts(Conversation conversation) => [.. conversation.Turns.Select(t => t.Text)];
}
