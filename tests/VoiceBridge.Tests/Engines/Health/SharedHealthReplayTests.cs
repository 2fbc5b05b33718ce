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

    [Fact]
    public void When_the_primary_recovers_a_live_call_fails_back_at_a_turn_boundary_losing_and_repeating_nothing()
    {
        var path = RepoPaths.Fixture("booking-ulaw8k.wav");
        var expected = ReplayInputs.Sidecar(path);
        var recording = WavLoader.Load(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var audit = new RecordingAudit();
        var chain = ChainSpec.Parse("openai-realtime,azure-realtime");
        var health = new ProviderHealthOptions
        {
            BreakDuration = TimeSpan.FromSeconds(2), ProbeInterval = TimeSpan.FromSeconds(1), FailbackMinDwell = TimeSpan.FromSeconds(6),
        };
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = LastResort.Render(new EspeakSynthesizer()), AuditLog = audit };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), options, time, loggers, [FaultSpec.Parse("primary:refuse@connect")], health);
            var call = ReplayCall.RunAsync(env, recording, expected, new FakeCallerOptions(), time, CancellationToken.None);

            // The primary is down for the first 3 s of the call, then answers again.
            await time.Elapse(TimeSpan.FromSeconds(3));
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
        Assert.True(failback.DetectedAtMs >= 6000, $"failed back at {failback.DetectedAtMs} ms");
        Assert.DoesNotContain(report.Turns, t => t.StartMs < failback.DetectedAtMs && t.EndMs > failback.DetectedAtMs);
        Assert.Equal((0L, 0, 0L), (failback.LostCallerAudioMs, failback.RepeatedAgentWords, failback.DuplicateAgentAudioMs));
        Assert.Equal("openai-realtime", report.Turns.Last(t => t.Role == "assistant").Engine);

        // The primary's breaker opened with the refusal and closed again after good probes, audited.
        var breakers = audit.Events.Where(e => e.Kind == BreakerAudit.Kind).Select(e => e.To).ToList();
        Assert.Equal("open", breakers[0]);
        Assert.Equal("closed", breakers[^1]);
    }

    private sealed class RecordingAudit : IAuditLog
    {
        private readonly List<AuditEvent> _events = [];

        public IReadOnlyList<AuditEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void Record(AuditEvent auditEvent)
        {
            lock (_events)
            {
                _events.Add(auditEvent);
            }
        }
    }
}
