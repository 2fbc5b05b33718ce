using VoiceBridge.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// One <see cref="CallSession"/> with a <see cref="ScriptedEngine"/> and a <see cref="RecordingLegOutput"/>
/// on a <see cref="FakeTimeProvider"/>, run by <see cref="VirtualTimeLoop"/> in 1 ms steps. A script waits
/// with <see cref="At"/> (virtual time); everything posted before that time has been handled when it returns.
/// </summary>
internal sealed class CallHarness
{
    public CallHarness(ITestOutputHelper output, ScriptedEngine? engine = null, CallSessionOptions? options = null, IEnumerable<IAgentTool>? tools = null, IEngineChain? chain = null)
    {
        Engine = engine ?? new ScriptedEngine();
        Options = options ?? new CallSessionOptions();

        // The frame counts these tests expect assume a 60 ms lead in the carrier's buffer.
        Options.Playout.LeadFrames = 3;
        Logger = new RecordingLogger(output);
        var registry = new ToolRegistry(tools ?? [new CheckAvailabilityTool()]);
        Session = chain is null
            ? new CallSession(
                "CA-test",
                "test",
                Leg,
                () =>
                {
                    EnginesCreated++;
                    return Engine;
                },
                registry,
                Options,
                Time,
                Logger)
            : new CallSession("CA-test", "test", Leg, chain, registry, Options, Time, Logger);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));

    public RecordingLegOutput Leg { get; } = new();

    public ScriptedEngine Engine { get; }

    public CallSessionOptions Options { get; }

    public RecordingLogger Logger { get; }

    public CallSession Session { get; }

    public int EnginesCreated { get; private set; }

    /// <summary>Runs the call with <paramref name="script"/>, then hangs up and returns the summary.</summary>
    public CallSummary Run(Func<Task> script, TimeSpan? limit = null) =>
        VirtualTimeLoop.Run(Time, TimeSpan.FromMilliseconds(1), limit ?? TimeSpan.FromMinutes(2), async () =>
        {
            var run = Session.RunAsync(CancellationToken.None);
            await script();
            await Session.OnHangupAsync("the caller hung up");
            return await run;
        });

    /// <summary>Waits (virtual time) until the call clock reads <paramref name="ms"/>.</summary>
    public async Task At(long ms)
    {
        var wait = ms - Session.NowMs;
        if (wait > 0)
        {
            await Time.Elapse(TimeSpan.FromMilliseconds(wait));
        }
    }

    /// <summary>At <paramref name="atMs"/>, <paramref name="engine"/> answers with one short spoken reply, item <paramref name="itemId"/>.</summary>
    public async Task Reply(ScriptedEngine engine, string itemId, long atMs)
    {
        await At(atMs);
        await engine.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = engine.Generation, ResponseId = "r-" + itemId });
        await engine.AgentTranscript(itemId, "Sure thing.");
        await engine.AgentAudio(itemId, TestAudio.Pattern(4800));
        await engine.AgentAudioDone(itemId);
        await engine.ResponseDone("r-" + itemId);
    }

    /// <summary>
    /// Sends caller audio as a carrier does: 20 ms frame k once it has been captured, at call time
    /// <paramref name="startMs"/> + 20 (k + 1). Runs alongside the script.
    /// </summary>
    public async Task FeedAsync(byte[] mulaw, long startMs = 0, int frameBytes = CallClock.FrameSamples)
    {
        var frames = (mulaw.Length + frameBytes - 1) / frameBytes;
        for (var k = 0; k < frames; k++)
        {
            await At(startMs + ((k + 1) * CallClock.FrameMs));
            var offset = k * frameBytes;
            await Session.OnCallerAudioAsync(mulaw.AsSpan(offset, Math.Min(frameBytes, mulaw.Length - offset)));
        }
    }

    /// <summary>Echoes, as the carrier would, the marks sent before frame <paramref name="framesPlayed"/> (not yet echoed).</summary>
    public async Task EchoMarks(int framesPlayed, ISet<string> echoed)
    {
        foreach (var name in Leg.MarksPlayedBy(framesPlayed))
        {
            if (echoed.Add(name))
            {
                await Session.OnMarkAsync(Leg.MarkNamed(name));
            }
        }
    }
}
