using VoiceBridge.Call;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// The live feed's promises to the call loop and to watchers: publishing never waits (a watcher
/// that falls behind loses its oldest events, counted), a late watcher gets the recent history, the
/// end completes every watcher, and watchers are bounded.
/// </summary>
public sealed class CallEventFeedTests
{
    [Fact]
    public void A_watcher_that_falls_behind_keeps_the_newest_events_and_the_loss_is_counted()
    {
        var feed = new CallEventFeed();
        using var watcher = feed.Subscribe()!;
        var extra = 40;
        for (var i = 0; i < CallEventFeed.SubscriberCapacity + extra; i++)
        {
            feed.Publish(new CallEvent(CallEventKind.Engine, i));
        }

        var seen = Drain(watcher);
        Assert.Equal(CallEventFeed.SubscriberCapacity, seen.Count);
        Assert.Equal(extra, seen[0].AtMs);
        Assert.Equal(CallEventFeed.SubscriberCapacity + extra - 1, seen[^1].AtMs);
        Assert.Equal(extra, feed.Dropped);
    }

    [Fact]
    public void A_late_watcher_gets_the_recent_history_then_live_events()
    {
        var feed = new CallEventFeed();
        for (var i = 0; i < CallEventFeed.HistoryCapacity + 5; i++)
        {
            feed.Publish(new CallEvent(CallEventKind.Caption, i) { Text = $"t{i}" });
        }

        using var watcher = feed.Subscribe()!;
        feed.Publish(new CallEvent(CallEventKind.Engine, 1000) { Engine = "b" });

        var seen = Drain(watcher);
        Assert.Equal(CallEventFeed.HistoryCapacity + 1, seen.Count);
        Assert.Equal("t5", seen[0].Text);
        Assert.Equal("b", seen[^1].Engine);
    }

    [Fact]
    public void The_end_completes_every_watcher_and_nothing_is_published_after_it()
    {
        var feed = new CallEventFeed();
        using var early = feed.Subscribe()!;
        feed.Publish(new CallEvent(CallEventKind.Ended, 10));
        feed.Publish(new CallEvent(CallEventKind.Engine, 11));
        using var late = feed.Subscribe()!;

        Assert.Equal([CallEventKind.Ended], Drain(early).Select(e => e.Kind));
        Assert.Equal([CallEventKind.Ended], Drain(late).Select(e => e.Kind));
        Assert.True(early.Reader.Completion.IsCompleted);
        Assert.True(late.Reader.Completion.IsCompleted);
    }

    [Fact]
    public void Watchers_are_bounded_and_one_that_leaves_frees_its_place()
    {
        var feed = new CallEventFeed();
        var watchers = Enumerable.Range(0, CallEventFeed.MaxSubscribers).Select(_ => feed.Subscribe()!).ToList();
        Assert.Null(feed.Subscribe());

        watchers[0].Dispose();
        Assert.True(watchers[0].Reader.Completion.IsCompleted);
        using var next = feed.Subscribe();
        Assert.NotNull(next);
        watchers.ForEach(w => w.Dispose());
    }

    private static List<CallEvent> Drain(CallEventSubscription watcher)
    {
        var seen = new List<CallEvent>();
        while (watcher.Reader.TryRead(out var e))
        {
            seen.Add(e);
        }

        return seen;
    }
}
