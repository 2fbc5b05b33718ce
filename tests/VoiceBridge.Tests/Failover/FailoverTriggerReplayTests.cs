using VoiceBridge.Faults;
using VoiceBridge.Replay;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// The handoff's continuation of a cut reply, the soft triggers (at a turn boundary) and the
/// planned session rotation, on the whole call path in virtual time.
/// </summary>
public sealed class FailoverTriggerReplayTests(ITestOutputHelper output)
{
    private const string Chain = "openai-realtime,azure-realtime";

    [Theory]
    [InlineData("primary:stall-audio@turn2+500", "audio-stall")]
    [InlineData("primary:close@turn2+600", "socket-lost")]
    [InlineData("primary:blackhole@turn3", "audio-stall")]
    public void A_reply_cut_mid_way_is_continued_by_the_next_engine_without_waiting_for_the_caller(string fault, string reason)
    {
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse(fault)], Chain);

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal(reason, sw.Reason);
        var cut = Assert.Single(report.Turns, t => t.Interrupted && t.Engine == "openai-realtime");
        var next = report.Turns.First(t => t.Role == "assistant" && t.Engine == "azure-realtime");
        var cutIndex = report.Turns.ToList().IndexOf(cut);

        // The continuation comes before the caller speaks again, and says the rest of the reply:
        // together they are one reply with no word repeated and none lost.
        Assert.Same(next, report.Turns.Skip(cutIndex + 1).First(t => t.Role == "assistant"));
        Assert.DoesNotContain(report.Turns.Skip(cutIndex + 1).TakeWhile(t => t != next), t => t.Role == "user");
        var whole = report.Turns.Last(t => t.Role == "user" && t.StartMs < cut.StartMs);
        var reply = Simulator.SimulatorScript.Default.Answer(whole.Text).Reply;
        Assert.EndsWith(Words(next.Text), Words(reply), StringComparison.Ordinal);
        Assert.Equal(Words(reply), Words(cut.HeardText + " " + next.Text).Replace("  ", " ", StringComparison.Ordinal).Trim());
        Assert.Equal(0, sw.RepeatedAgentWords);
        Assert.True(sw.HandoffMs < 1000, $"handoff {sw.HandoffMs} ms: the new engine should answer at once");
    }

    [Fact]
    public void A_cut_reply_the_local_cascade_continues_after_checking_with_a_tool_is_not_started_over()
    {
        // The embedded default chain: the local dialog answers "My name is Maria Lopez" by checking
        // the day with a tool first ("One moment while I check ..."); the continuation holds for the
        // words after the tool's result too, which go on after "Thank you, Maria".
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:close@turn3+1000")], "openai-realtime,local");

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal(0, sw.RepeatedAgentWords);
        var turns = report.Turns.ToList();
        var cut = turns.Single(t => t.Interrupted && t.Engine == "openai-realtime");
        var rest = turns.Skip(turns.IndexOf(cut) + 1).TakeWhile(t => t.Role != "user").Select(t => t.Text).ToList();
        Assert.Equal(2, rest.Count);
        Assert.StartsWith("One moment while I check", rest[0], StringComparison.Ordinal);
        Assert.StartsWith("Lopez.", rest[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local.tts:error@turn2@done")]
    [InlineData("local.tts:close@turn1@done")]
    public void A_cut_reply_that_was_heard_to_its_end_needs_no_continuation_and_the_call_goes_on(string fault)
    {
        // The text-to-speech stage fails after the reply's last audio but before it said so: the
        // reply counts as cut, the next engine is asked to continue it and has nothing to add.
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse(fault)], "local,openai-realtime");

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal(("local", "openai-realtime"), (sw.From, sw.To));
        Assert.Equal(0, sw.RepeatedAgentWords);
        Assert.Equal(4, report.Turns.Count(t => t.Role == "user"));

        // The caller had heard a whole reply: the next engine adds nothing before the caller speaks again.
        var turns = report.Turns.ToList();
        var cut = turns.FindIndex(t => t.Interrupted && t.Engine == "local");
        Assert.DoesNotContain(turns.Skip(cut + 1).TakeWhile(t => t.Role != "user"), t => t.Text.Length > 0);
    }

    [Fact]
    public void Slow_turns_move_the_call_at_the_next_turn_boundary()
    {
        // From turn 1 the primary's first audio comes 1 s late: 800 + 1000 ms > 1500 ms, three times.
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:slow:1000@turn1")], Chain);

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal("slow-turns", sw.Reason);
        AssertAtTurnBoundary(report, sw);
        var users = report.Turns.Where(t => t.Role == "user").ToList();
        Assert.True(sw.DetectedAtMs > users[2].EndMs && sw.DetectedAtMs < users[3].StartMs, $"switched at {sw.DetectedAtMs} ms");
        Assert.Contains(report.Turns, t => t.Role == "assistant" && t.Engine == "azure-realtime");
    }

    [Fact]
    public void Caller_turns_transcribed_as_nothing_twice_in_a_row_move_the_call_at_the_next_turn_boundary()
    {
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [FaultSpec.Parse("primary:empty-transcript@user1")], Chain);

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        var sw = Assert.Single(report.Switches);
        Assert.Equal("quality-regression", sw.Reason);
        AssertAtTurnBoundary(report, sw);

        // The third and fourth utterances are understood again, by the fallback.
        var users = report.Turns.Where(t => t.Role == "user").ToList();
        Assert.True(sw.DetectedAtMs < users[2].StartMs, $"switched at {sw.DetectedAtMs} ms");
        Assert.Contains("Maria", users[2].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_near_its_limit_is_rotated_to_a_fresh_session_of_the_same_engine_losing_nothing()
    {
        var report = FailoverReplay.Run(output, "booking-ulaw8k.wav", [], Chain, options =>
        {
            options.Failover.SessionLimits["openai-realtime"] = TimeSpan.FromSeconds(9);
            options.Failover.SessionRotateBefore = TimeSpan.FromSeconds(3);
        });

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.NotEmpty(report.Switches);
        Assert.All(report.Switches, sw =>
        {
            Assert.Equal(("openai-realtime", "openai-realtime", "session-expiry"), (sw.From, sw.To, sw.Reason));
            Assert.Equal(0, sw.LostCallerAudioMs);
            Assert.Equal(0, sw.OutboundDiscontinuities);
            AssertAtTurnBoundary(report, sw);
        });
        Assert.All(report.Turns.Where(t => t.Role == "assistant"), t => Assert.Equal("openai-realtime", t.Engine));

        // The rotated session knew the conversation: the name given before is used after.
        Assert.Contains(report.Turns, t => t.Role == "assistant" && t.Text.Contains("Maria Lopez", StringComparison.Ordinal));
    }

    /// <summary>
    /// A soft switch happens with nobody speaking and no reply owed: the turn the new engine
    /// answers first, if any, is one the caller began after the switch, and its handoff runs from
    /// that turn's end.
    /// </summary>
    private static void AssertAtTurnBoundary(ReplayCallReport report, SwitchReport sw)
    {
        Assert.DoesNotContain(report.Turns, t => t.StartMs < sw.DetectedAtMs && t.EndMs > sw.DetectedAtMs);
        if (sw.CallerSpeechEndMs is { } end)
        {
            Assert.Contains(report.Turns, t => t.Role == "user" && t.StartMs > sw.DetectedAtMs && t.EndMs == end);
            Assert.Equal(sw.FirstFallbackAudioAtMs - end, sw.HandoffMs);
        }
    }

    private static string Words(string? text) =>
        string.Join(' ', (text ?? "").ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', '!', '?')));
}
