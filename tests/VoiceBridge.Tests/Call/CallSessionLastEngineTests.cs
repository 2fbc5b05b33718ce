using VoiceBridge.Call;
using VoiceBridge.Engines;
using Xunit.Abstractions;
using static VoiceBridge.Tests.Call.CallSessionTriggerTests;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// The last engine standing, on a fake clock: a stall there gets a grace per owed response (a new
/// caller turn does not cut it short, an earlier stall's grace does not use up the next one's); the
/// stall timer pauses while a tool runs; an engine the call failed on that recovered since takes a
/// hard failure, never a soft switch, and never when the call left it degraded.
/// </summary>
public sealed class CallSessionLastEngineTests(ITestOutputHelper output)
{
    private const string Exhausted = "every engine of the chain is down";

    // Two 1 s caller bursts: our VAD's turns end at 1500 and 5500 ms.
    private static readonly byte[] TwoBursts = TestAudio.Concat(
        TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(3000), TestAudio.Tone(1000), TestAudio.Silence(3000));

    [Fact]
    public void A_caller_turn_during_the_grace_does_not_cut_it_short()
    {
        // Turn 0 ends at 1500: stall at 4500, grace to 9500. Turn 1 ends at 5500 (its own stall
        // would be at 8500). The engine's answer comes at 9000.
        var chain = new ScriptedChain("a");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.Reply(a, "a0", 9000);
            await feed;
            await h.At(16500);
        });

        Assert.DoesNotContain(summary.Errors, e => e.Contains(Exhausted, StringComparison.Ordinal));
        Assert.Contains(summary.Turns, t => t.ItemId == "a0" && t.Role == TurnRole.Assistant);
        Assert.Empty(chain.Failures);
    }

    [Fact]
    public void An_audio_stall_s_grace_does_not_use_up_the_grace_of_the_next_response_stall()
    {
        var chain = new ScriptedChain("a");
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(TwoBursts);

            // The reply to turn 0 starts at 2500 and stops after 100 ms of audio (audio stall at
            // 3500, granted); at 4500 it ends incomplete.
            await h.At(2500);
            await a.Post(new EngineEvent { Kind = EngineEventKind.ResponseStarted, Generation = a.Generation, ResponseId = "r-a0" });
            await a.AgentAudio("a0", TestAudio.Pattern(800));
            await h.At(4500);
            await a.ResponseDone("r-a0", "incomplete");

            // Turn 1 ends at 5500: stall at 8500, granted again; the answer comes at 10000.
            await h.Reply(a, "a1", 10000);
            await feed;
            await h.At(16500);
        });

        Assert.DoesNotContain(summary.Errors, e => e.Contains(Exhausted, StringComparison.Ordinal));
        Assert.Contains(summary.Turns, t => t.ItemId == "a1" && t.Role == TurnRole.Assistant);
        Assert.Equal(
            ["audio-stall", "response-stall"],
            h.Logger.Entries.Where(e => e.Message.Contains("waiting 5000 ms more before the last resort", StringComparison.Ordinal))
                .Select(e => e.Message.Contains("(audio-stall", StringComparison.Ordinal) ? "audio-stall" : "response-stall"));
    }

    [Fact]
    public void The_stall_timer_pauses_while_a_tool_runs_and_the_reply_to_its_result_gets_a_whole_window()
    {
        // Turn 0 ends at 1500. The engine calls a tool at 2000; turn 1 ends at 5500 (stall at 8500,
        // while the tool still runs). The tool answers at 9000; the reply comes at 10000, inside the
        // new window (9000 + 2500).
        var chain = new ScriptedChain("a", "b");
        var tool = new GatedTool("book");
        var h = new CallHarness(output, tools: [tool], chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(TwoBursts);
            await h.At(2000);
            await a.ToolCall("c1", "book", "{}");
            await h.At(9000);
            tool.Release("booked");
            await h.Reply(a, "a0", 10000);
            await feed;
            await h.At(12000);
        });

        Assert.Empty(summary.Switches!);
        Assert.Equal(["c1"], summary.ToolCalls.Select(c => c.CallId));
    }

    [Fact]
    public void A_recovered_engine_takes_a_hard_failure_but_not_a_soft_switch()
    {
        // a's socket is lost: the call goes to b, and a recovers. b's three slow turns would move
        // the call softly: with a only recovered (failback's dwell not reached), the call stays.
        // Then b's socket is lost: a takes the call back instead of the last resort.
        var chain = new ScriptedChain("a", "b") { Recovered = i => i == 0 };
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);
            await h.At(200);
            await a.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = a.Generation, Text = "socket lost" });
            var b = await chain.Engine(1);
            await b.Ready();
            for (var turn = 0; turn < 3; turn++)
            {
                await h.Reply(b, $"b{turn}", TurnEnds[turn] + 2000);
            }

            await h.At(12000);
            await b.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = b.Generation, Text = "socket lost" });
            var again = await chain.Engine(2);
            await again.Ready();
            await feed;
            await h.At(16500);
        });

        Assert.Equal([("a", "b", "socket-lost"), ("b", "a", "socket-lost")], summary.Switches!.Select(s => (s.From, s.To, s.Reason)));
        Assert.DoesNotContain(summary.Errors, e => e.Contains(Exhausted, StringComparison.Ordinal));
        Assert.Single(h.Logger.Entries, e => e.Message.Contains("would be replaced (slow-turns", StringComparison.Ordinal));
    }

    [Fact]
    public void An_engine_the_call_left_degraded_is_not_taken_back_even_when_its_breaker_recovered()
    {
        var chain = new ScriptedChain("a", "b") { Recovered = _ => true };
        var h = new CallHarness(output, chain: chain);

        var summary = h.Run(async () =>
        {
            var a = await chain.Engine(0);
            await a.Ready();
            var feed = h.FeedAsync(FourBursts);

            // a never answers turn 0: a response stall at 4500 moves the call to b.
            var b = await chain.Engine(1);
            await b.Ready();
            await h.At(6000);
            await b.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = b.Generation, Text = "socket lost" });
            await feed;
            await h.At(16500);
        });

        Assert.Equal([("a", "b", "response-stall")], summary.Switches!.Select(s => (s.From, s.To, s.Reason)));
        Assert.Contains(summary.Errors, e => e.Contains(Exhausted, StringComparison.Ordinal));
    }
}
