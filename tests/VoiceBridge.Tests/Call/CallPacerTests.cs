using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;

namespace VoiceBridge.Tests.Call;

public sealed class CallPacerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void One_pacer_per_clock()
    {
        Assert.Same(CallPacer.For(_time), CallPacer.For(_time));
        Assert.NotSame(CallPacer.For(_time), CallPacer.For(new FakeTimeProvider()));
    }

    [Fact]
    public void Every_registered_call_gets_one_tick_per_20_ms_from_one_timer()
    {
        var pacer = CallPacer.For(_time);
        int a = 0, b = 0;
        using var first = pacer.Register(() => a++);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        using var second = pacer.Register(() => b++);

        _time.Advance(TimeSpan.FromMilliseconds(10)); // 20 ms: the pacer's first tick, for both
        Assert.Equal((1, 1), (a, b));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal((11, 11), (a, b));
        Assert.Equal(11, pacer.Ticks);
        Assert.Equal(2, pacer.Count);
    }

    [Fact]
    public void A_call_that_leaves_gets_no_more_ticks_and_the_timer_stops_with_the_last()
    {
        var pacer = CallPacer.For(_time);
        int a = 0, b = 0;
        var first = pacer.Register(() => a++);
        var second = pacer.Register(() => b++);
        _time.Advance(TimeSpan.FromMilliseconds(40));

        first.Dispose();
        first.Dispose(); // twice is fine
        _time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal((2, 4), (a, b));

        second.Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(4, pacer.Ticks);
        Assert.Equal(0, pacer.Count);

        // The next call starts the timer again, its phase counted from its registration.
        var c = 0;
        using var third = pacer.Register(() => c++);
        _time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Equal(0, c);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, c);
    }

    [Fact]
    public void A_call_leaving_during_a_tick_does_not_disturb_the_others_in_it()
    {
        var pacer = CallPacer.For(_time);
        var ticks = new List<string>();
        CallPacer.Registration? first = null;
        first = pacer.Register(() =>
        {
            ticks.Add("a");
            first!.Dispose();
        });
        using var second = pacer.Register(() => ticks.Add("b"));

        _time.Advance(TimeSpan.FromMilliseconds(40));

        Assert.Equal(["a", "b", "b"], ticks);
    }
}
