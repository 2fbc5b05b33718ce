using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Engines.Health;

/// <summary>
/// The shared health on the whole call path in virtual time: two calls through one bridge (one
/// process), the primary refusing every connection. The first call finds out and fails over; the
/// breaker opens (audited); the next call starts on the fallback, with no switch at all, while the
/// probes keep finding the primary down.
/// </summary>
public sealed class SharedHealthReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void After_one_call_found_the_primary_down_the_next_call_starts_on_the_fallback()
    {
        var path = RepoPaths.Fixture("hours-pcm16k.wav");
        var expected = ReplayInputs.Sidecar(path);
        var recording = WavLoader.Load(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var audit = new RecordingAudit();
        var chain = ChainSpec.Parse("openai-realtime,azure-realtime");
        var (first, second, breaker, probes) = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = LastResort.Render(new EspeakSynthesizer()), AuditLog = audit };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), options, time, loggers, [FaultSpec.Parse("primary:refuse@connect")]);
            var one = await ReplayCall.RunAsync(env, recording, expected, new FakeCallerOptions(), time, CancellationToken.None);
            var state = env.Bridge.Engines.StateOf(0);
            var attempts = env.Simulators["openai-realtime"].Faults.Fired.Count;
            var two = await ReplayCall.RunAsync(env, recording, expected, new FakeCallerOptions(), time, CancellationToken.None);
            var probed = env.Simulators["openai-realtime"].Faults.Fired.Count - attempts;
            return (one.Summary, two.Summary, state, probed);
        });

        var sw = Assert.Single(first.Switches ?? []);
        Assert.Equal(("openai-realtime", "azure-realtime", "cannot-connect"), (sw.From, sw.To, sw.Reason));
        Assert.NotEqual(BreakerState.Closed, breaker);

        Assert.Empty(second.Switches ?? []);
        Assert.Contains(second.Turns, t => t.Role == TurnRole.Assistant);
        Assert.All(second.Turns.Where(t => t.Role == TurnRole.Assistant), t => Assert.Equal("azure-realtime", t.Engine));
        Assert.True(probes > 0, "the probes kept trying the primary during the second call");

        var breakers = audit.Events.Where(e => e.Kind == BreakerAudit.Kind).ToList();
        foreach (var e in breakers)
        {
            output.WriteLine($"{e.At:HH:mm:ss.fff} {e.From} -> {e.To} ({e.Reason})");
        }

        Assert.Equal(("-", "closed", "open"), (breakers[0].CallId, breakers[0].From, breakers[0].To));
        Assert.StartsWith("openai-realtime: cannot-connect", breakers[0].Reason);
        Assert.DoesNotContain(breakers, e => e.To == "closed");
    }
}
