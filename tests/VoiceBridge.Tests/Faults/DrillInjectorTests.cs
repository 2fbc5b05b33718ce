using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Hosting;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Engines.Health;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Faults;

/// <summary>
/// The client-side fault injector on the whole call path in virtual time (fake Twilio, bridge,
/// simulated primary with NO fault of its own, local cascade): a drill of every new call makes the
/// real detection path switch for the reason each kind should give, nothing the caller said is
/// lost, the drill is audited before the switch, and the shared breaker is left alone.
/// </summary>
public sealed class DrillInjectorTests(ITestOutputHelper output)
{
    private static readonly EspeakSynthesizer Voice = new();

    private static readonly Lazy<byte[]> Apology = new(() => LastResort.Render(Voice));

    [Theory]
    [InlineData("primary:close@turn2", "socket-lost")]
    [InlineData("primary:blackhole@turn2", "audio-stall")]
    [InlineData("primary:error@turn2", "provider-error")]
    [InlineData("primary:ratelimit@turn2", "rate-limited")]
    [InlineData("primary:drill@turn2", "drill")]
    [InlineData("primary:refuse", "cannot-connect")]
    [InlineData("primary:http5xx@connect", "cannot-connect")]
    [InlineData("primary:ratelimit@connect", "rate-limited")]
    [InlineData("primary:close@6s", "socket-lost")]
    public void Each_kind_makes_the_drilled_call_switch_for_its_reason_with_nothing_lost(string fault, string reason)
    {
        var (report, drill, audit, breaker) = Run(fault);

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal(("openai-realtime", "local", reason), (sw.From, sw.To, sw.Reason));
        Assert.Equal(0, sw.LostCallerAudioMs);
        Assert.Equal(0, report.LostCallerAudioMs);
        Assert.Equal(0, report.Outbound.Discontinuities);

        // The drill's own account of the call matches the call's.
        var call = Assert.Single(drill.Calls);
        Assert.Equal("done", drill.State);
        Assert.Equal("handed-off", call.State);
        Assert.Equal((reason, sw.DetectedAtMs, sw.HandoffMs, true), (call.Switch!.Reason, call.Switch.DetectedAtMs, call.Switch.HandoffMs, call.Switch.Final));
        Assert.True(call.FaultAtMs <= sw.DetectedAtMs, $"fault at {call.FaultAtMs} ms, detected at {sw.DetectedAtMs} ms");

        // Audited: the drill of the call, then the switch as usual.
        var kinds = audit.Where(e => e.CallId == call.Call).Select(e => e.Kind).ToList();
        Assert.True(kinds.IndexOf("drill") >= 0 && kinds.IndexOf("drill") < kinds.IndexOf("switch"), string.Join(", ", kinds));

        // A drill is no evidence against the provider: its breaker stayed closed.
        Assert.Equal(BreakerState.Closed, breaker);
    }

    [Fact]
    public void A_moment_that_never_comes_is_reported_and_nothing_switches()
    {
        var (report, drill, _, _) = Run("primary:close@turn40");

        Assert.Empty(report.Switches);
        var call = Assert.Single(drill.Calls);
        Assert.Equal("missed", call.State);
        Assert.Contains("ended before", call.Missed, StringComparison.Ordinal);
        Assert.Equal(1, DrillCommand_exit(drill));
    }

    private static int DrillCommand_exit(AdminDrillView drill) => Cli.DrillCommand.Report(drill, 1, TextWriter.Null);

    private (ReplayCallReport Report, AdminDrillView Drill, IReadOnlyList<VoiceBridge.Audit.AuditEvent> Audit, BreakerState Breaker) Run(string fault)
    {
        var path = RepoPaths.Fixture("booking-ulaw8k.wav");
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var recording = WavLoader.Load(path);
        var chain = ChainSpec.Parse("openai-realtime,local");
        var audit = new SharedHealthReplayTests.RecordingAudit();
        AdminDrillView? drill = null;
        var breaker = BreakerState.Open;
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = Apology.Value, AuditLog = audit };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions { Synthesizer = Voice }, options, time, loggers);
            var drills = new AdminDrills(env.Bridge, audit, time, loggers);
            var (status, started, error) = drills.Start(new AdminDrillRequest(null, 100, 1, fault), "test");
            Assert.True(status == 202, error);
            var run = await ReplayCall.RunAsync(env, recording, expected, new FakeCallerOptions { ReplyIdle = TimeSpan.FromMilliseconds(1200) }, time, CancellationToken.None);
            // The drill's figures become final once the call's summary is in.
            await time.UntilAsync(() => drills.Find(started!.Id) is { State: "done" } d && d.Calls.All(c => c.Switch is null or { Final: true }), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(40));
            drill = drills.Find(started!.Id);
            breaker = env.Bridge.Engines.StateOf(0);
            return run;
        });
        var report = ReplayCall.Evaluate(path, result, expected, [.. chain.Engines.Select(e => e.Name)], null);
        foreach (var s in report.Switches)
        {
            output.WriteLine(s.ToString());
        }

        return (report, drill!, audit.Events, breaker);
    }
}
