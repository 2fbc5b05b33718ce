using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Hosting;
using VoiceBridge.Media;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>A fixture's caller audio as mu-law, with its utterance spans from media-fixtures/manifest.json.</summary>
internal sealed record CallerAudio(byte[] MuLaw, IReadOnlyList<(string Text, double StartS, double EndS)> Utterances)
{
    public static CallerAudio Load(string name)
    {
        var pcm = WavLoader.Load(RepoPaths.Fixture(name)).Samples;
        var mulaw = new byte[pcm.Length];
        G711.MuLawEncode(pcm, mulaw);

        using var manifest = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("manifest.json")));
        var entry = manifest.RootElement.GetProperty("fixtures").EnumerateArray().Single(f => f.GetProperty("file").GetString() == name);
        var utterances = entry.GetProperty("utterances").EnumerateArray()
            .Select(u => (u.GetProperty("text").GetString()!, u.GetProperty("start_s").GetDouble(), u.GetProperty("end_s").GetDouble()))
            .ToList();
        return new CallerAudio(mulaw, utterances);
    }
}

/// <summary>
/// Feeds a recording to an engine as 20 ms frames on the call clock, the recording's start being
/// at call position <c>basePosition</c>, as fast as the test likes: the provider's VAD
/// works on audio positions, not on arrival times.
/// </summary>
internal sealed class CallerFeed(IAgentEngine engine, byte[] mulaw, long basePosition)
{
    private int _offset;

    /// <summary>Bytes handed to the engine so far.</summary>
    public long BytesGiven { get; private set; }

    /// <summary>The call position of recording offset <paramref name="seconds"/>.</summary>
    public long PositionOf(double seconds) => basePosition + (long)Math.Round(seconds * CallClock.SampleRate);

    /// <summary>Moves on to <paramref name="seconds"/> without sending (that audio went elsewhere, e.g. to an earlier engine).</summary>
    public void Skip(double seconds) => _offset = Math.Max(_offset, (int)Math.Min(mulaw.Length, Math.Round(seconds * CallClock.SampleRate)));

    /// <summary>Sends the recording up to <paramref name="seconds"/> (or its end), whole frames except perhaps the last.</summary>
    public void Until(double seconds)
    {
        var end = (int)Math.Min(mulaw.Length, Math.Round(seconds * CallClock.SampleRate));
        while (_offset < end)
        {
            var n = Math.Min(CallClock.FrameSamples, end - _offset);
            engine.SendCallerAudio(basePosition + _offset, mulaw.AsSpan(_offset, n));
            _offset += n;
            BytesGiven += n;
        }
    }
}

/// <summary>
/// The provider simulator on Kestrel (127.0.0.1, ephemeral port, system time) and the production
/// Realtime engine connected to it over a real socket through <see cref="SystemWebSocketConnector"/>,
/// started and Ready.
/// </summary>
internal sealed class SimulatorHarness : IAsyncDisposable
{
    /// <summary>The recording starts 3 s into the call: provider offsets must come back as call positions.</summary>
    public const long BasePosition = 3 * CallClock.SampleRate;

    private readonly LoopbackServer _server;

    private SimulatorHarness(RealtimeSimulator simulator, LoopbackServer server, WireTap tap, RealtimeEngine engine, EngineEventRecorder events, TimeSpan readyAfter)
    {
        Simulator = simulator;
        _server = server;
        Tap = tap;
        Engine = engine;
        Events = events;
        ReadyAfter = readyAfter;
    }

    public RealtimeSimulator Simulator { get; }

    public WireTap Tap { get; }

    public RealtimeEngine Engine { get; }

    public EngineEventRecorder Events { get; }

    /// <summary>Real time from StartAsync to Ready (measured, reported, never asserted).</summary>
    public TimeSpan ReadyAfter { get; }

    /// <summary>The one session the simulator served.</summary>
    public SimulatedSession Session => Simulator.Control.Sessions.Single();

    public static async Task<SimulatorHarness> StartAsync(ITestOutputHelper output, SimulatorOptions? options = null, IReadOnlyList<ToolDefinition>? tools = null)
    {
        var loggers = new TestLoggerFactory(output);
        var simulator = new RealtimeSimulator(options ?? new SimulatorOptions(), TimeProvider.System, loggers.CreateLogger<RealtimeSimulator>());
        var server = await LoopbackServer.StartAsync(app => app.MapSimulator(simulator));
        var tap = new WireTap(new SystemWebSocketConnector(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        var engine = new RealtimeEngine(
            new RealtimeEngineOptions { Endpoint = server.RealtimeEndpoint, Simulated = true },
            tap,
            TimeProvider.System,
            loggers.CreateLogger<RealtimeEngine>());
        var events = new EngineEventRecorder();
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await engine.StartAsync(new EngineStart(1, new Conversation("You are a test receptionist."), tools ?? [], events), CancellationToken.None);
            await events.WaitAsync(EngineEventKind.Ready);
        }
        catch
        {
            await engine.DisposeAsync();
            await server.DisposeAsync();
            throw;
        }

        return new SimulatorHarness(simulator, server, tap, engine, events, TimeProvider.System.GetElapsedTime(started));
    }

    public CallerFeed Feed(CallerAudio audio) => new(Engine, audio.MuLaw, BasePosition);

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await _server.DisposeAsync();
    }
}
