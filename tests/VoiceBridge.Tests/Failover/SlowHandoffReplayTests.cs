using VoiceBridge.Faults;
using VoiceBridge.Replay;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// A reply cut by a switch whose new engine is slow to speak, or fails in turn before it does:
/// the rest of the reply still reaches the caller, the replay's caller waits for it (a handoff's
/// silence is not the end of the agent's reply), and the report judges what was owed.
/// </summary>
public sealed class SlowHandoffReplayTests(ITestOutputHelper output)
{
    // openai-realtime's third reply ("Thank you, Maria Lopez. You are all set.") is cut 1 s into it.
    private const string CutThirdReply = "openai-realtime:close@turn3+1000";

    [Theory]
    [InlineData(ReplayLeg.Twilio)]
    [InlineData(ReplayLeg.Sip)]
    public void The_caller_waits_through_a_slow_handoff_for_the_rest_of_the_cut_reply(ReplayLeg leg)
    {
        // Azure answers 1.5 s late from its first response on: the continuation starts about two
        // seconds after the cut words ended, past the 800 ms of silence the caller takes for the
        // end of a reply. The caller holds while the handoff owes the rest, then speaks. (A SIP
        // phone hears the rest only through its jitter buffer, after the bridge counted it sent.)
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav",
            [FaultSpec.Parse(CutThirdReply), FaultSpec.Parse("azure-realtime:slow:1500@turn1")], "openai-realtime,azure-realtime", leg: leg);

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.True(sw.ContinuesReply);
        Assert.True(sw.HandoffMs > 1500, $"handoff {sw.HandoffMs} ms: the fault should make it slow");
        var turns = report.Turns.ToList();
        var cut = turns.FindIndex(t => t.Interrupted && t.Engine == "openai-realtime");
        var continuation = turns[cut + 1];
        Assert.Equal(("assistant", "azure-realtime"), (continuation.Role, continuation.Engine));
        Assert.False(continuation.Interrupted, "the caller spoke over the continuation");
        Assert.Equal("Lopez. You are all set.", continuation.HeardText);
        var next = turns[cut + 2];
        Assert.Equal("user", next.Role);
        Assert.True(next.StartMs > continuation.EndMs, $"the caller spoke at {next.StartMs} ms, the continuation ended at {continuation.EndMs} ms");
    }

    [Fact]
    public void A_reply_cut_and_then_left_by_a_failing_fallback_is_continued_by_the_engine_after_it()
    {
        // Azure stalls (3 s late) on the continuation it was asked for: a second switch, to the
        // cascade, which says the rest of the reply (its dialog checks the day with a tool first)
        // without repeating the words the caller heard.
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav",
            [FaultSpec.Parse(CutThirdReply), FaultSpec.Parse("azure-realtime:slow:3000@turn1")], "openai-realtime,azure-realtime,cascade-remote");

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(2, report.Switches.Count);
        var (first, second) = (report.Switches[0], report.Switches[1]);
        Assert.Equal(("azure-realtime", "cascade-remote", "response-stall"), (second.From, second.To, second.Reason));
        Assert.Null(first.FirstFallbackAudioAtMs);
        Assert.True(second.ContinuesReply, "the second switch should carry the continuation the first one owed");
        Assert.NotNull(second.HandoffMs);
        Assert.Equal(0, second.RepeatedAgentWords);

        var turns = report.Turns.ToList();
        var cut = turns.Single(t => t.Interrupted && t.Engine == "openai-realtime");
        var rest = turns.Skip(turns.IndexOf(cut) + 1).TakeWhile(t => t.Role != "user")
            .Where(t => t.Engine == "cascade-remote").Select(t => t.Text).ToList();
        Assert.NotEmpty(rest);
        Assert.DoesNotContain(rest, text => text.Contains(cut.HeardText!, StringComparison.Ordinal));
        Assert.StartsWith("Lopez.", rest[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_cut_reply_nobody_finished_fails_the_call_even_when_the_caller_had_nothing_more_to_say()
    {
        // The last reply is cut and the only other engine fails at its first audio: the caller
        // heard "Thank you for" and then the apology. No caller turn is left unanswered, but the
        // switch owed the rest of a reply.
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav",
            [FaultSpec.Parse("openai-realtime:close@turn4+1000"), FaultSpec.Parse("azure-realtime:close@turn1")], "openai-realtime,azure-realtime");

        Assert.Equal(CallStatus.Failed, report.Status);
        var sw = Assert.Single(report.Switches);
        Assert.True(sw.ContinuesReply);
        Assert.Null(sw.FirstFallbackAudioAtMs);
        Assert.Contains("switch 1 (openai-realtime -> azure-realtime, socket-lost): the new engine never spoke (the reply it cut was left unfinished)", report.Failures);
    }
}
