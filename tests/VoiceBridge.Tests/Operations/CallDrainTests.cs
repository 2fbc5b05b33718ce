using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Call;
using VoiceBridge.Operations;

namespace VoiceBridge.Tests.Operations;

/// <summary>The drain on a fake clock: new calls refused at once, calls in progress waited for, the rest hung up at the timeout.</summary>
public sealed class CallDrainTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Calls_in_progress_are_waited_for_and_new_ones_refused_from_the_start()
    {
        var time = OperationsTestCalls.NewTime();
        var registry = new CallRegistry();
        var callA = OperationsTestCalls.Session("A", "drain-test", time);
        registry.Started(callA);
        var callB = OperationsTestCalls.Session("B", "drain-test", time);
        registry.Started(callB);
        var hungUp = new List<string>();
        var drain = new CallDrain(registry, new DrainOptions(), time, NullLogger<CallDrain>.Instance, (c, _) =>
        {
            hungUp.Add(c.CallId);
            return Task.CompletedTask;
        });

        Assert.True(registry.Accepting);
        var draining = drain.DrainAsync(CancellationToken.None);
        Assert.False(registry.Accepting);
        Assert.True(drain.Draining);

        time.Advance(TimeSpan.FromSeconds(29));
        registry.Ended(callA, OperationsTestCalls.Summary("A", "drain-test"));
        Assert.False(draining.IsCompleted);
        registry.Ended(callB, OperationsTestCalls.Summary("B", "drain-test"));
        var result = await draining.WaitAsync(Bound);

        Assert.Equal(new DrainResult(2, 0, 0, 29_000), result);
        Assert.Empty(hungUp);
    }

    [Fact]
    public async Task A_call_still_running_at_the_timeout_is_hung_up_and_waited_for()
    {
        var time = OperationsTestCalls.NewTime();
        var registry = new CallRegistry();
        var callA = OperationsTestCalls.Session("A", "drain-test", time);
        registry.Started(callA);
        var asked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var drain = new CallDrain(registry, new DrainOptions { Timeout = TimeSpan.FromSeconds(30) }, time, NullLogger<CallDrain>.Instance, (c, _) =>
        {
            asked.TrySetResult(c.CallId);
            return Task.CompletedTask;
        });

        var draining = drain.DrainAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.False(asked.Task.IsCompleted, "not hung up before the timeout");
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("A", await asked.Task.WaitAsync(Bound));

        // The hang-up plays out (the agent's sentence, then the leg closes): the call ends by itself.
        time.Advance(TimeSpan.FromSeconds(2));
        registry.Ended(callA, OperationsTestCalls.Summary("A", "drain-test"));
        var result = await draining.WaitAsync(Bound);

        Assert.Equal((1, 1, 0), (result.Calls, result.EndedByDrain, result.StillLive));
    }

    [Fact]
    public async Task A_call_that_will_not_end_is_given_up_on_after_the_grace()
    {
        var time = OperationsTestCalls.NewTime();
        var registry = new CallRegistry();
        var callStuck = OperationsTestCalls.Session("stuck", "drain-test", time);
        registry.Started(callStuck);
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var drain = new CallDrain(registry, new DrainOptions { Timeout = TimeSpan.FromSeconds(5), HangUpGrace = TimeSpan.FromSeconds(10) }, time, NullLogger<CallDrain>.Instance, (_, _) =>
        {
            asked.TrySetResult();
            return Task.CompletedTask;
        });

        var draining = drain.DrainAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));
        await asked.Task.WaitAsync(Bound);
        await AdvanceUntil(time, draining, TimeSpan.FromSeconds(30));
        var result = await draining.WaitAsync(Bound);

        Assert.Equal((1, 1, 1), (result.Calls, result.EndedByDrain, result.StillLive));
        Assert.True(result.ElapsedMs >= 15_000, $"gave up after {result.ElapsedMs} ms, before the timeout and the grace");
    }

    [Fact]
    public async Task A_call_admitted_just_before_the_drain_began_is_waited_for_too()
    {
        var time = OperationsTestCalls.NewTime();
        var registry = new CallRegistry();
        var callA = OperationsTestCalls.Session("A", "drain-test", time);
        registry.Started(callA);
        var drain = new CallDrain(registry, new DrainOptions(), time, NullLogger<CallDrain>.Instance, (_, _) => Task.CompletedTask);

        var draining = drain.DrainAsync(CancellationToken.None);

        // Its media stream was upgraded before the drain; its start message comes now.
        var callLate = OperationsTestCalls.Session("late", "drain-test", time);
        registry.Started(callLate);
        registry.Ended(callA, OperationsTestCalls.Summary("A", "drain-test"));
        time.Advance(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 1000 && !draining.IsCompleted; i++)
        {
            await Task.Yield();
        }

        Assert.False(draining.IsCompleted, "the drain ended with a call in progress");
        registry.Ended(callLate, OperationsTestCalls.Summary("late", "drain-test"));
        var result = await draining.WaitAsync(Bound);

        Assert.Equal((0, 0), (result.EndedByDrain, result.StillLive));
    }

    [Fact]
    public void Negative_limits_are_refused_with_the_name_of_the_bad_one()
    {
        var e = Assert.Throws<ArgumentException>(() => new CallDrain(new CallRegistry(), new DrainOptions { HangUpGrace = TimeSpan.FromSeconds(-1) }, TimeProvider.System, NullLogger<CallDrain>.Instance));
        Assert.Contains("HangUpGrace", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Advances the clock in steps (the drain's grace timer is set on another thread, after the hang-up returns) until <paramref name="task"/> completes or <paramref name="limit"/> has passed.</summary>
    private static async Task AdvanceUntil(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, Task task, TimeSpan limit)
    {
        var step = TimeSpan.FromMilliseconds(500);
        for (var elapsed = TimeSpan.Zero; elapsed < limit && !task.IsCompleted; elapsed += step)
        {
            await Task.Yield();
            time.Advance(step);
        }
    }
}
