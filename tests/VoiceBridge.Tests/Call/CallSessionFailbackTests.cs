using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using Xunit.Abstractions;
using static VoiceBridge.Tests.Call.CallSessionTriggerTests;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// Failback on a fake clock: a call fails back to a recovered higher engine at a turn boundary,
/// but never to one it left because it degraded (a readiness probe cannot see that recover).
/// </summary>
public sealed class CallSessionFailbackTests(ITestOutputHelper output)
{
    [Fact]
    public void A_call_started_on_a_fallback_fails_back_at_a_turn_boundary_once_the_chain_says_so()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);
        var recovered = false;
        chain.State = i => i == 0 && !recovered ? BreakerState.Open : BreakerState.Closed;
        chain.Failback = (current, dwell) => current == 1 && recovered && dwell >= TimeSpan.FromSeconds(3) ? 0 : null;

        var summary = h.Run(async () =>
        {
            var b = await chain.Engine(0);
            await b.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.At(TurnEnds[0] + 600);
            await b.UserTranscript("u0", "hello");
            recovered = true;
            await h.Reply(b, "b0", TurnEnds[0] + 800);
            var a = await chain.Engine(1);
            await a.Ready();
            for (var turn = 1; turn < 4; turn++)
            {
                await h.Reply(a, $"a{turn}", TurnEnds[turn] + 800);
            }

            await feed;
        });

        // Not before the minimum dwell (3 s), nor while b's reply was playing; then the recovered engine answers on.
        Assert.Equal([1, 0], chain.Created.Select(c => c.Index));
        var sw = Assert.Single(summary.Switches!);
        Assert.Equal(("b", "a", "failback"), (sw.From, sw.To, sw.Reason));
        Assert.True(sw.DetectedAtMs >= 3000 && sw.DetectedAtMs >= summary.Turns.Single(t => t.ItemId == "b0").EndMs, $"failed back at {sw.DetectedAtMs} ms");
        Assert.Empty(chain.Failures);
        Assert.All(summary.Turns.Where(t => t.Role == TurnRole.Assistant).Skip(1), t => Assert.Equal("a", t.Engine));
    }

    [Fact]
    public void A_call_never_fails_back_to_an_engine_it_left_for_slow_turns_even_when_the_chain_calls_it_recovered()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);
        chain.Failback = (current, _) => current == 1 ? 0 : null;

        var summary = h.Run(async () =>
        {
            await ThreeSlowTurnsThenTheNextEngine(h, chain);
            await h.At(20000);
        });

        var sw = Assert.Single(summary.Switches!);
        Assert.Equal(("a", "b", "slow-turns"), (sw.From, sw.To, sw.Reason));
        Assert.Equal([0, 1], chain.Created.Select(c => c.Index));
    }

    [Fact]
    public void A_call_fails_back_to_an_engine_it_left_because_its_socket_was_lost()
    {
        var chain = new ScriptedChain("a", "b");
        var h = new CallHarness(output, chain: chain);
        chain.Failback = (current, _) => current == 1 ? 0 : null;

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.Reply(a, "a0", TurnEnds[0] + 700);
            await h.At(TurnEnds[1] - 500);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            var b = await chain.Engine(1);
            await b.Ready();
            await h.Reply(b, "b1", TurnEnds[1] + 700);
            var again = await chain.Engine(2);
            await again.Ready();
            await h.Reply(again, "a2", TurnEnds[2] + 700);
            await feed;
        });

        Assert.Equal(["socket-lost", "failback"], summary.Switches!.Select(s => s.Reason));
        Assert.Equal([0, 1, 0], chain.Created.Select(c => c.Index));
    }

    [Fact]
    public void With_warm_standby_a_failback_waits_for_the_recovered_engine_to_be_warm_and_takes_it()
    {
        var chain = new ScriptedChain("a", "b");
        var options = new CallSessionOptions();
        options.Failover.WarmStandby = true;
        var h = new CallHarness(output, options: options, chain: chain);
        var recovered = false;
        chain.Failback = (current, _) => current == 1 && recovered ? 0 : null;
        long warmAtMs = -1;

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.Reply(a, "a0", TurnEnds[0] + 700);
            await h.At(TurnEnds[1] - 500);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            var b = await chain.Engine(1); // the standby, warm since the call began
            await b.Started;
            await b.Ready();
            await h.Reply(b, "b1", TurnEnds[1] + 700);
            recovered = true;
            var again = await chain.Engine(2);
            warmAtMs = h.Session.NowMs;
            Assert.Equal((1, false), (again.WarmUps, again.Start is not null));
            await h.At(h.Session.NowMs + 1);
            Assert.Null(again.Start);
            await again.Started;
            await again.Ready();
            await h.Reply(again, "a2", TurnEnds[2] + 700);
            await feed;
        });

        Assert.Equal(["socket-lost", "failback"], summary.Switches!.Select(s => s.Reason));
        Assert.Equal([0, 1, 0, 1], chain.Created.Select(c => c.Index)); // back on a, b is its standby again
        var failback = summary.Switches![1];
        Assert.True(failback.DetectedAtMs >= warmAtMs + 1000, $"the failback was asked for at {failback.DetectedAtMs} ms, the engine warmed at {warmAtMs} ms: one health check later at the earliest");
        Assert.Equal("a", summary.Turns.Single(t => t.ItemId == "a2").Engine);
    }
}
