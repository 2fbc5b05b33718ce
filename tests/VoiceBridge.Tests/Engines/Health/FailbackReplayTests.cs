using Microsoft.Extensions.Time.Testing;
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

/// <summary>Failback on the whole call path in virtual time, with the real probes.</summary>
public sealed class FailbackReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void When_the_primary_recovers_a_live_call_fails_back_at_a_turn_boundary_losing_and_repeating_nothing()
    {
        var path = RepoPaths.Fixture("booking-ulaw8k.wav");
        var expected = ReplayInputs.Sidecar(path);
        var recording = WavLoader.Load(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var audit = new SharedHealthReplayTests.RecordingAudit();
        var chain = ChainSpec.Parse("openai-realtime,azure-realtime");
        var health = new ProviderHealthOptions
        {
            BreakDuration = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(500), FailbackMinDwell = TimeSpan.FromSeconds(4),
        };
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = LastResort.Render(new EspeakSynthesizer()), AuditLog = audit };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), options, time, loggers, [FaultSpec.Parse("primary:refuse@connect")], health);
            var call = ReplayCall.RunAsync(env, recording, expected, new FakeCallerOptions(), time, CancellationToken.None);

            // The primary is down for the first 1.5 s of the call, then answers again.
            await time.Elapse(TimeSpan.FromMilliseconds(1500));
            env.Simulators["openai-realtime"].Faults.Recover();
            return await call;
        });
        var report = ReplayCall.Evaluate(path, result, expected, [.. chain.Engines.Select(e => e.Name)], null);
        foreach (var t in report.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {t.Text}");
        }

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(
            [("openai-realtime", "azure-realtime", "cannot-connect"), ("azure-realtime", "openai-realtime", "failback")],
            report.Switches.Select(s => (s.From, s.To, s.Reason)));
        var failback = report.Switches[1];

        // Not before the dwell, and at a turn boundary: nobody speaking at the moment of the switch.
        Assert.True(failback.DetectedAtMs >= 4000, $"failed back at {failback.DetectedAtMs} ms");
        Assert.DoesNotContain(report.Turns, t => t.StartMs < failback.DetectedAtMs && t.EndMs > failback.DetectedAtMs);
        Assert.Equal((0L, 0, 0L), (failback.LostCallerAudioMs, failback.RepeatedAgentWords, failback.DuplicateAgentAudioMs));
        Assert.Equal("openai-realtime", report.Turns.Last(t => t.Role == "assistant").Engine);

        // The primary's breaker opened with the refusal and closed again after good probes, audited.
        var breakers = audit.Events.Where(e => e.Kind == BreakerAudit.Kind).Select(e => e.To).ToList();
        Assert.Equal("open", breakers[0]);
        Assert.Equal("closed", breakers[^1]);
    }
}
