using System.Threading.Channels;

namespace VoiceBridge.Call;

/// <summary>
/// A call's live events for any number of watchers. The call loop publishes without ever waiting:
/// each watcher has its own bounded queue that drops its oldest event when the watcher falls behind
/// (a stalled browser must not slow the call). A watcher that joins late first gets the recent
/// history, so a page opened after the call started still learns which engine answers.
/// </summary>
public sealed class CallEventFeed
{
    /// <summary>Events one watcher may fall behind by before its oldest are dropped.</summary>
    public const int SubscriberCapacity = 256;

    /// <summary>Recent events handed to a watcher that joins late.</summary>
    public const int HistoryCapacity = 64;

    /// <summary>Watchers at once; more are refused (each holds a queue).</summary>
    public const int MaxSubscribers = 16;

    private readonly Lock _gate = new();
    private readonly List<Channel<CallEvent>> _subscribers = [];
    private readonly Queue<CallEvent> _history = new();
    private long _dropped;
    private bool _completed;

    /// <summary>Events dropped because a watcher fell behind, over all watchers.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// A new watcher's events: the recent history first, then each event as it is published; the
    /// reader completes after <see cref="CallEventKind.Ended"/>. Null when <see cref="MaxSubscribers"/>
    /// are already watching. Dispose the subscription to stop watching.
    /// </summary>
    public CallEventSubscription? Subscribe()
    {
        var channel = Channel.CreateBounded<CallEvent>(
            new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest },
            _ => Interlocked.Increment(ref _dropped));
        lock (_gate)
        {
            foreach (var e in _history)
            {
                channel.Writer.TryWrite(e);
            }

            if (_completed)
            {
                channel.Writer.TryComplete();
            }
            else if (_subscribers.Count >= MaxSubscribers)
            {
                return null;
            }
            else
            {
                _subscribers.Add(channel);
            }
        }

        return new CallEventSubscription(this, channel);
    }

    /// <summary>Hands <paramref name="e"/> to every watcher; never blocks. After <see cref="CallEventKind.Ended"/>, nothing more is published.</summary>
    internal void Publish(CallEvent e)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            if (_history.Count == HistoryCapacity)
            {
                _history.Dequeue();
            }

            _history.Enqueue(e);
            _completed = e.Kind == CallEventKind.Ended;
            foreach (var channel in _subscribers)
            {
                channel.Writer.TryWrite(e);
                if (_completed)
                {
                    channel.Writer.TryComplete();
                }
            }

            if (_completed)
            {
                _subscribers.Clear();
            }
        }
    }

    internal void Unsubscribe(Channel<CallEvent> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }
}

/// <summary>One watcher of a <see cref="CallEventFeed"/>.</summary>
public sealed class CallEventSubscription : IDisposable
{
    private readonly CallEventFeed _feed;
    private readonly Channel<CallEvent> _channel;

    internal CallEventSubscription(CallEventFeed feed, Channel<CallEvent> channel)
    {
        _feed = feed;
        _channel = channel;
    }

    public ChannelReader<CallEvent> Reader => _channel.Reader;

    public void Dispose() => _feed.Unsubscribe(_channel);
}
