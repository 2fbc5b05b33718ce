using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// What the next Realtime engine receives on the wire after a switch (FAILOVER.md step 5), seen
/// from the simulated provider's own log of the session: automatic responses off while it is
/// seeded, the caller's turn committed once, exactly one <c>response.create</c>, then automatic
/// responses back on; and no automatic response while they were off.
/// </summary>
public sealed class SeedingReplayTests(ITestOutputHelper output)
{
    private const string Fixture = "booking-ulaw8k.wav";
    private const string Chain = "openai-realtime,azure-realtime";

    [Fact]
    public void After_a_mid_turn_switch_the_turn_ends_naturally_and_is_answered_by_one_response_create()
    {
        // The primary's socket drops 400 ms into the caller's second utterance (5.27-7.10 s).
        var (report, session) = Run("primary:close@user2+400");

        var sw = Assert.Single(report.Switches);
        var second = report.Turns.Where(t => t.Role == "user").ElementAt(1);
        Assert.True(sw.DetectedAtMs > second.StartMs && sw.DetectedAtMs < second.EndMs, $"the switch at {sw.DetectedAtMs} ms was not inside the utterance ({second.StartMs}-{second.EndMs} ms)");
        Assert.Equal((2, 2, 0), (sw.HistoryTurnsCarried, sw.TurnsAsItems, sw.SummarisedTurns)); // the first exchange, as items, well within the budget
        Assert.Equal(
            [(SimulatedEventKind.SessionUpdate, false), (SimulatedEventKind.VadCommit, null), (SimulatedEventKind.ResponseCreate, null), (SimulatedEventKind.SessionUpdate, true)],
            Seeding(session));
        AssertAnsweredOnce(report, session);
    }

    [Fact]
    public void A_whole_turn_never_transcribed_is_replayed_cut_at_its_end_committed_and_answered_by_one_response_create()
    {
        // The primary goes silent as the second utterance starts; the response stall (1.5 s here)
        // hands the call over before the caller speaks again, with that turn's audio to replay.
        var (report, session) = Run("primary:blackhole@user2", o => o.Failover.ResponseStallMs = 1500);

        var sw = Assert.Single(report.Switches);
        Assert.Equal("response-stall", sw.Reason);
        Assert.True(sw.ReplayedCallerAudioMs > 1800, $"replayed {sw.ReplayedCallerAudioMs} ms");
        Assert.Equal(
            [(SimulatedEventKind.SessionUpdate, false), (SimulatedEventKind.Commit, null), (SimulatedEventKind.ResponseCreate, null), (SimulatedEventKind.SessionUpdate, true)],
            Seeding(session));
        AssertAnsweredOnce(report, session);
    }

    /// <summary>The session's log from its first update to the update that turned automatic responses back on.</summary>
    private static List<(SimulatedEventKind, bool?)> Seeding(SimulatedSession session)
    {
        var events = session.Events.Select(e => (e.Kind, e.CreateResponse)).ToList();
        var end = events.IndexOf((SimulatedEventKind.SessionUpdate, true));
        Assert.True(end > 0, "automatic responses were never turned back on");
        return events[..(end + 1)];
    }

    /// <summary>
    /// Every caller turn answered by exactly one engine (the replay's own check), and on the new
    /// session no automatic response before automatic responses were back on, one response asked for.
    /// </summary>
    private static void AssertAnsweredOnce(ReplayCallReport report, SimulatedSession session)
    {
        Assert.Empty(report.Failures);
        Assert.Equal(CallStatus.Passed, report.Status);
        var events = session.Events.ToList();
        var restored = events.FindIndex(e => e is { Kind: SimulatedEventKind.SessionUpdate, CreateResponse: true });
        Assert.DoesNotContain(events.Take(restored), e => e.Kind == SimulatedEventKind.AutoResponse);
        Assert.Single(events.Take(restored), e => e.Kind == SimulatedEventKind.ResponseCreate);
        Assert.DoesNotContain(events, e => e.Kind == SimulatedEventKind.CommitRefused);
    }

    private (ReplayCallReport Report, SimulatedSession NewSession) Run(string fault, Action<CallSessionOptions>? configure = null)
    {
        var path = RepoPaths.Fixture(Fixture);
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var chain = ChainSpec.Parse(Chain);
        var faults = new[] { FaultSpec.Parse(fault) };
        var (result, sessions) = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true };
            configure?.Invoke(options);
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), options, time, loggers, faults);
            var result = await ReplayCall.RunAsync(env, WavLoader.Load(path), expected, new FakeCallerOptions(), time, CancellationToken.None);
            return (result, env.Control.Sessions.ToList());
        });
        var report = ReplayCall.Evaluate(path, result, expected, [.. chain.Engines.Select(e => e.Name)], null);
        foreach (var t in report.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {(t.Interrupted ? "[cut] " : "")}{t.Text}");
        }

        foreach (var s in sessions)
        {
            output.WriteLine($"{s.Id} call={s.CallId}: {string.Join(", ", s.Events.Select(e => e.CreateResponse is { } c ? $"{e.Kind}({c})" : e.Kind.ToString()))}");
        }

        // The call's session on the engine switched to (the fallback's simulator names its sessions after it).
        return (report, sessions.Single(s => s.Id.StartsWith("sess_azurerealtime", StringComparison.Ordinal) && s.CallId is not null));
    }
}
