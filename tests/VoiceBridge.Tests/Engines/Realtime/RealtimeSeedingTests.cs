using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Engines.Cascade.Remote;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>
/// A Realtime engine started for seeding (<see cref="EngineStart.Seeding"/>) against the simulator,
/// on one fake clock over in-memory sockets: with <c>create_response:false</c> the simulator still
/// commits and transcribes what its VAD hears but answers nothing, as the real service does; the
/// engine's <see cref="IAgentEngine.EndSeeding"/> asks for one response and turns them back on.
/// </summary>
public sealed class RealtimeSeedingTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void While_seeding_the_simulator_commits_and_transcribes_a_turn_but_gives_no_automatic_response()
    {
        var (events, session) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder, simulator) = await StartAsync(seeding: true);

            // The first utterance (0.5-2.8 s) and 1.2 s of silence: the server VAD ends and commits it.
            await FeedAsync(engine, FixtureSpeech.BookingFrames(4.0), 0);
            await WaitForAsync(recorder, EngineEventKind.UserTranscript);
            await _time.Elapse(TimeSpan.FromSeconds(3));
            var seeded = recorder.Events;
            await engine.DisposeAsync();
            return (seeded, simulator.Control.Sessions.Single());
        });

        Assert.Contains(events, e => e.Kind == EngineEventKind.UserTurnCommitted);
        Assert.Equal(FixtureSpeech.BookingFirstUtterance, events.Single(e => e.Kind == EngineEventKind.UserTranscript).Text);
        Assert.DoesNotContain(events, e => e.Kind == EngineEventKind.ResponseStarted);
        Assert.Equal(0, session.Responses);
        Assert.Equal(
            [(SimulatedEventKind.SessionUpdate, false), (SimulatedEventKind.VadCommit, null)],
            session.Events.Select(e => (e.Kind, e.CreateResponse)));
    }

    [Fact]
    public void Ending_seeding_asks_for_one_response_then_the_next_turn_is_answered_automatically()
    {
        var (events, session) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (engine, recorder, simulator) = await StartAsync(seeding: true);
            await FeedAsync(engine, FixtureSpeech.BookingFrames(4.0), 0);
            await WaitForAsync(recorder, EngineEventKind.UserTranscript);
            engine.EndSeeding(respond: true);
            await WaitForAsync(recorder, EngineEventKind.ResponseDone);

            // The second utterance (5.3-7.1 s) with automatic responses back on.
            await FeedAsync(engine, FixtureSpeech.BookingFrames(8.5), 200);
            await WaitForAsync(recorder, EngineEventKind.ResponseDone, 2);
            var all = recorder.Events;
            await engine.DisposeAsync();
            return (all, simulator.Control.Sessions.Single());
        });

        Assert.Equal(2, events.Count(e => e.Kind == EngineEventKind.ResponseStarted));
        Assert.Equal(
            [
                (SimulatedEventKind.SessionUpdate, false), (SimulatedEventKind.VadCommit, null), (SimulatedEventKind.ResponseCreate, null),
                (SimulatedEventKind.SessionUpdate, true), (SimulatedEventKind.VadCommit, null), (SimulatedEventKind.AutoResponse, null),
            ],
            session.Events.Select(e => (e.Kind, e.CreateResponse)));
    }

    [Fact]
    public void A_commit_of_what_the_server_vad_already_committed_is_refused_as_the_service_does()
    {
        var (events, session) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            // Up to just after the server VAD's end of the first utterance (2.77 s + its 500 ms
            // window): what is left in the buffer is under 100 ms.
            var (engine, recorder, simulator) = await StartAsync(seeding: true);
            await FeedAsync(engine, FixtureSpeech.BookingFrames(3.32), 0);
            await WaitForAsync(recorder, EngineEventKind.UserTranscript);
            engine.CommitCallerTurn();
            await WaitForAsync(recorder, EngineEventKind.Error);
            var all = recorder.Events;
            await engine.DisposeAsync();
            return (all, simulator.Control.Sessions.Single());
        });

        var error = events.Single(e => e.Kind == EngineEventKind.Error);
        Assert.Equal("client-error", error.Status);
        Assert.Contains("input_audio_buffer_commit_empty", error.Text, StringComparison.Ordinal);
        Assert.Equal(SimulatedEventKind.CommitRefused, session.Events.Last().Kind);
        Assert.Single(events, e => e.Kind == EngineEventKind.UserTurnCommitted);
    }

    private async Task<(RealtimeEngine Engine, EngineEventRecorder Events, RealtimeSimulator Simulator)> StartAsync(bool seeding)
    {
        var network = new InMemoryNetwork();
        var simulator = new RealtimeSimulator(new SimulatorOptions(), _time, NullLogger<RealtimeSimulator>.Instance);
        simulator.Control.AddTranscriptHints([FixtureSpeech.BookingFirstUtterance, "Tomorrow afternoon, if possible."]);
        network.Listen("openai.sim", simulator.HandleAsync);
        var engine = new RealtimeEngine(
            new RealtimeEngineOptions { Endpoint = new Uri("ws://openai.sim/v1/realtime"), Simulated = true }, network, _time, NullLogger<RealtimeEngine>.Instance);
        var recorder = new EngineEventRecorder();
        await engine.StartAsync(new EngineStart(1, new Conversation("You book dental appointments."), [], recorder) { Seeding = seeding }, CancellationToken.None);
        await WaitForAsync(recorder, EngineEventKind.Ready);
        return (engine, recorder, simulator);
    }

    /// <summary>
    /// Waits on the fake clock (the recorder's own wait completes off the loop, and the loop would
    /// run virtual time ahead meanwhile) for the <paramref name="occurrence"/>-th event of a kind.
    /// </summary>
    private async Task WaitForAsync(EngineEventRecorder recorder, EngineEventKind kind, int occurrence = 1)
    {
        for (var waited = TimeSpan.Zero; recorder.OfKind(kind).Count < occurrence; waited += Poll)
        {
            Assert.True(waited < TimeSpan.FromSeconds(30), $"no {kind} (occurrence {occurrence}) within 30 s; got: {string.Join(", ", recorder.Events.Select(e => e.Kind))}");
            await _time.Elapse(Poll);
        }
    }

    /// <summary>Frames from index <paramref name="from"/> on, paced at 20 ms on the fake clock, at their call positions.</summary>
    private async Task FeedAsync(RealtimeEngine engine, IReadOnlyList<byte[]> frames, int from)
    {
        for (var i = from; i < frames.Count; i++)
        {
            engine.SendCallerAudio((long)i * 160, frames[i]);
            await _time.Elapse(TimeSpan.FromMilliseconds(20));
        }
    }
}
