using VoiceBridge.Call;

namespace VoiceBridge.Tests.Operations;

/// <summary>
/// A Twilio stream lost without its stop comes back on a new socket with the same CallSid: the
/// registry follows the call to the new session, so drain, health and drills still find it.
/// </summary>
public sealed class CallRegistryTests
{
    [Fact]
    public async Task A_resumed_stream_that_takes_over_a_live_call_keeps_it_live_when_the_lost_streams_session_ends()
    {
        var time = OperationsTestCalls.NewTime();
        var registry = new CallRegistry();
        var lost = OperationsTestCalls.Session("CA1", "twilio", time);
        var resumed = OperationsTestCalls.Session("CA1", "twilio", time);
        registry.Started(lost);
        registry.Started(resumed);

        registry.Ended(lost, OperationsTestCalls.Summary("CA1", "twilio"));

        Assert.Same(resumed, registry.Find("CA1"));
        Assert.Single(registry.Live);
        Assert.False(registry.WhenEnded("CA1").IsCompleted, "the call was reported ended while its resumed stream carried it");
        var last = OperationsTestCalls.Summary("CA1", "twilio") with { DurationMs = 42 };
        registry.Ended(resumed, last);
        Assert.Same(last, await registry.WhenEnded("CA1").WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(registry.Live);
    }

    [Fact]
    public async Task A_call_that_comes_back_after_its_stream_ended_is_waited_for_again()
    {
        var time = OperationsTestCalls.NewTime();
        var registry = new CallRegistry();
        var lost = OperationsTestCalls.Session("CA2", "twilio", time);
        registry.Started(lost);
        registry.Ended(lost, OperationsTestCalls.Summary("CA2", "twilio"));
        Assert.True(registry.WhenEnded("CA2").IsCompleted);

        var resumed = OperationsTestCalls.Session("CA2", "twilio", time);
        registry.Started(resumed);

        Assert.False(registry.WhenEnded("CA2").IsCompleted, "the resumed call looked ended from the start");
        var last = OperationsTestCalls.Summary("CA2", "twilio") with { DurationMs = 42 };
        registry.Ended(resumed, last);
        Assert.Same(last, await registry.WhenEnded("CA2").WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
