using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Faults;
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
        Assert.Equal(1, ExitOf(drill));
    }

    [Fact]
    public void A_live_call_is_drilled_now_and_a_second_drill_finds_nothing_left_to_act_on()
    {
        var path = RepoPaths.Fixture("booking-ulaw8k.wav");
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var audit = new RecordingAudit();
        var callerOptions = new FakeCallerOptions { ReplyIdle = TimeSpan.FromMilliseconds(1200) };
        (int Status, AdminDrillView? Drill, string? Error) first = default, second = default;
        AdminCallsView? before = null;
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = Apology.Value, AuditLog = audit };
            await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime,local"), new SimulatorOptions { Synthesizer = Voice }, options, time, loggers);
            var drills = new AdminDrills(env.Bridge, audit, time, loggers);
            var call = ReplayCall.RunAsync(env, WavLoader.Load(path), expected, callerOptions, time, CancellationToken.None);

            // Into the first reply: the call is live on the primary, which has its socket open.
            await time.UntilAsync(() => env.Bridge.Registry.Find(callerOptions.CallSid) is { NowMs: > 5000 }, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(60));
            before = drills.Calls();
            first = drills.Start(new AdminDrillRequest(callerOptions.CallSid, null, null, "primary:close"), "operator");
            await time.UntilAsync(() => drills.Find(first.Drill!.Id)!.Calls.Single().State == "handed-off", TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30));
            second = drills.Start(new AdminDrillRequest(callerOptions.CallSid, null, null, "primary:close"), "operator");
            return await call;
        });

        var live = Assert.Single(before!.Calls);
        Assert.Equal((callerOptions.CallSid, "twilio", "openai-realtime"), (live.Id, live.Leg, live.Engine));
        Assert.True(first.Status == 202, first.Error);
        var sw = Assert.Single(result.Summary.Switches!);
        Assert.Equal(("socket-lost", 0L), (sw.Reason, sw.LostCallerAudioMs));
        Assert.Contains("dropped on our side (drill)", sw.Evidence, StringComparison.Ordinal);
        Assert.Equal(409, second.Status);
        Assert.Contains("has no open connection to openai-realtime (it is on local)", second.Error, StringComparison.Ordinal);
        var drillEvent = Assert.Single(audit.Events, e => e.Kind == "drill");
        Assert.Equal((callerOptions.CallSid, "primary:close@now"), (drillEvent.CallId, drillEvent.Reason));
        Assert.Contains("operator", drillEvent.DetailsJson, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1:primary:close@turn2", null)]
    [InlineData("0.5:openai-realtime:blackhole@30s", null)]
    [InlineData("primary:close", "expected PCT:SPEC")]
    [InlineData("0:primary:close", "more than 0")]
    [InlineData("5:primary:close@now", "@now is for a drill of one live call")]
    [InlineData("5:local:close", "local is a cascade")]
    [InlineData("5:azure-realtime:close", "not an engine of the chain")]
    public void A_schedule_is_checked_against_the_chain(string text, string? problem)
    {
        var error = AdminDrills.ScheduleProblem(text, ChainSpec.Parse("openai-realtime,local"), out _, out _);
        if (problem is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(problem, error, StringComparison.Ordinal);
        }
    }

    private static int ExitOf(AdminDrillView drill) => Cli.DrillCommand.Report(drill, 1, TextWriter.Null);

    [Fact]
    public void A_schedule_drills_its_share_of_new_calls_as_any_drill()
    {
        var (report, drill, audit, _) = Run("primary:error@turn1", schedule: true);

        Assert.Equal(("schedule", "schedule", "running"), (drill.Id, drill.By, drill.State));
        Assert.Equal("provider-error", Assert.Single(report.Switches).Reason);
        Assert.Equal("handed-off", Assert.Single(drill.Calls).State);
        Assert.Contains(audit, e => e.Kind == "drill" && e.DetailsJson.Contains("\"by\":\"schedule\"", StringComparison.Ordinal));
    }

    private (ReplayCallReport Report, AdminDrillView Drill, IReadOnlyList<VoiceBridge.Audit.AuditEvent> Audit, BreakerState Breaker) Run(string fault, bool schedule = false)
    {
        var path = RepoPaths.Fixture("booking-ulaw8k.wav");
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var recording = WavLoader.Load(path);
        var chain = ChainSpec.Parse("openai-realtime,local");
        var audit = new RecordingAudit();
        AdminDrillView? drill = null;
        var breaker = BreakerState.Open;
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = Apology.Value, AuditLog = audit };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions { Synthesizer = Voice }, options, time, loggers);
            var drills = new AdminDrills(env.Bridge, audit, time, loggers);
            Assert.True(DrillFault.TryParse(fault, liveCall: false, out var parsed, out var problem), problem);
            var (status, started, error) = schedule ? (202, drills.Schedule(100, parsed!), null) : drills.Start(new AdminDrillRequest(null, 100, 1, fault), "test");
            Assert.True(status == 202, error);
            var run = await ReplayCall.RunAsync(env, recording, expected, new FakeCallerOptions { ReplyIdle = TimeSpan.FromMilliseconds(1200) }, time, CancellationToken.None);
            // The drill's figures become final once the call's summary is in.
            await time.UntilAsync(() => drills.Find(started!.Id) is { State: "done" or "running" } d && d.Calls.All(c => c.Switch is { Final: true } || c.State == "missed") && (schedule || d.State == "done"), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(40));
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
