using VoiceBridge.Legs;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// Agent audio on its way to the caller, paced to real time by the call's 20 ms tick. It outlives
/// engines: the outbound stream (mark names, frame count; for RTP legs sequence and timestamp) is
/// one for the whole call. It learns from marks what the caller actually heard of each item, and
/// a barge-in <see cref="Clear"/> flushes it.
/// </summary>
public sealed partial class PlayoutBuffer(ICallerLegOutput leg, PlayoutOptions options)
{
    // Agent audio waiting to be sent, in one ring that grows to the largest backlog the call had
    // (at most Capacity): queuing a delta copies into it, so steady playout allocates nothing.
    private const int InitialAudioBytes = 16 * 1024;

    private readonly Queue<Segment> _segments = new();
    private readonly Dictionary<string, ItemPlayout> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<PlayoutMark, PendingMark> _pendingMarks = [];
    private readonly byte[] _frame = new byte[CallClock.FrameSamples];
    private bool _active;
    private bool _inGap;
    private long _spurtStartMs;
    private long _spurtSent;
    private int _framesSinceMark;
    private long _queuedSamples;
    private string? _lastSentItem;
    private byte[] _audio = new byte[InitialAudioBytes];
    private int _audioHead;
    private int _headTaken;
    private int _clears;
    private long _heldSinceMs = -1;

    /// <summary>Raised with the item id when its first frame goes to the caller.</summary>
    public event Action<ItemPlayout>? ItemStarted;

    /// <summary>Raised when the last frame of an ended item went to the caller.</summary>
    public event Action<ItemPlayout>? ItemSent;

    /// <summary>Raised when the caller is known (by mark) to have heard an item to its end.</summary>
    public event Action<ItemPlayout>? ItemHeard;

    /// <summary>20 ms frames sent to the caller in the whole call.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Samples sent to the caller: the outbound clock.</summary>
    public long OutboundPosition => FramesSent * CallClock.FrameSamples;

    /// <summary>When agent audio played at the caller's end, frame by frame (the silences between are the caller's).</summary>
    public AgentAudioTimeline AgentAudio { get; } = new();

    /// <summary>Times the caller's buffer ran dry in the middle of an item that then went on (a gap the caller heard).</summary>
    public long Discontinuities { get; private set; }

    /// <summary>Agent audio dropped because the buffer was over capacity.</summary>
    public long DroppedSamples { get; private set; }

    /// <summary>Marks echoed after a clear: audio that was flushed, not played.</summary>
    public long FlushedMarks { get; private set; }

    /// <summary>True while the caller has the call on hold (<see cref="Hold"/>): agent audio waits.</summary>
    public bool IsHeld => _heldSinceMs >= 0;

    /// <summary>When the hold began (the call clock), while <see cref="IsHeld"/>.</summary>
    public long HeldSinceMs => _heldSinceMs;

    /// <summary>True while agent audio is queued or in flight to the caller.</summary>
    public bool IsPlaying => _active || _segments.Count > 0;

    /// <summary>Marks sent and not yet echoed: the caller has heard everything sent when this is 0 (a clear's flushed marks come back too).</summary>
    public int PendingMarks => _pendingMarks.Count;

    public ItemPlayout? Item(string itemId) => _items.GetValueOrDefault(itemId);

    /// <summary>Queues agent audio of an item; the engine generation is kept for mark names.</summary>
    public void Enqueue(int generation, string itemId, ReadOnlySpan<byte> mulaw)
    {
        if (mulaw.IsEmpty)
        {
            return;
        }

        if (!_items.TryGetValue(itemId, out var item))
        {
            item = new ItemPlayout(itemId, generation);
            _items[itemId] = item;
        }

        if (item.Ended)
        {
            return;
        }

        var capacity = CallClock.MsToSamples((long)options.Capacity.TotalMilliseconds);
        if (_queuedSamples + mulaw.Length > capacity)
        {
            DroppedSamples += mulaw.Length;
            return;
        }

        Append(mulaw);
        item.SamplesQueued += mulaw.Length;
        _queuedSamples += mulaw.Length;
        _segments.Enqueue(new Segment(item, mulaw.Length));
    }

    /// <summary>The item's audio is complete: its last partial frame may be padded and sent.</summary>
    public void EndItem(string itemId)
    {
        if (!_items.TryGetValue(itemId, out var item) || item.Ended)
        {
            return;
        }

        item.Ended = true;
        if (item.Started && item.SamplesSent >= item.SamplesQueued)
        {
            // Its last frame already went out before the end was known: close it with a mark now.
            MarkItemEnd(item);
        }
    }

    /// <summary>A replaced engine's items can grow no more: each plays out what it has, then ends.</summary>
    public void EndGeneration(int generation)
    {
        foreach (var item in _items.Values.Where(i => i.Generation == generation && !i.Ended).ToList())
        {
            EndItem(item.ItemId);
        }

        // An item that ran dry (its engine stalled) and is now ended by the handoff does not
        // resume: what is left of it is its last partial frame, flushed as its tail. The silence
        // before it is the switch's dead air, not a gap in the middle of speech.
        _inGap = false;
    }

    /// <summary>
    /// A tick of the call clock at <paramref name="nowMs"/>: sends what keeps the caller's buffer at
    /// the lead. Pacing follows elapsed time since the spurt began, not tick count, so a late tick
    /// catches up and a spurt started between ticks keeps its own phase.
    /// </summary>
    public void Tick(long nowMs)
    {
        if (IsHeld)
        {
            return;
        }

        if (!_active)
        {
            if (!HasFrame())
            {
                return;
            }

            _active = true;
            _inGap = false;
            _spurtStartMs = nowMs;
            _spurtSent = 0;
        }

        var elapsedFrames = (nowMs - _spurtStartMs) / CallClock.FrameMs;
        var target = elapsedFrames + options.LeadFrames;
        while (_spurtSent < target && TryTakeFrame(out var item))
        {
            if (_inGap)
            {
                // The item resumes after the caller's buffer ran dry: a gap heard mid-speech. (An item
                // that never resumes, cut by a handoff, is dead air in the switch's figures instead.)
                Discontinuities++;
                _inGap = false;
            }

            SendFrame(item);
        }

        var carrierBuffered = _spurtSent - elapsedFrames;
        if (carrierBuffered > 0 || HasFrame())
        {
            return;
        }

        if (AllQueuedItemsEnded())
        {
            _active = false;
            return;
        }

        _inGap = true;
        _spurtStartMs = nowMs - (_spurtSent * CallClock.FrameMs);
    }

    /// <summary>
    /// Agent audio was queued at <paramref name="nowMs"/>: what the lead has room for goes now, not at
    /// the next tick (up to 20 ms later). On an idle stream, or one that ran dry mid-item, pacing
    /// counts from now; otherwise the spurt keeps its phase, so frames never go out faster than
    /// elapsed time plus the lead allows.
    /// </summary>
    public void OnAudioQueued(long nowMs)
    {
        if (IsHeld)
        {
            return;
        }

        if (_active && _inGap)
        {
            _spurtStartMs = nowMs - (_spurtSent * CallClock.FrameMs);
        }

        Tick(nowMs);
    }

    /// <summary>
    /// The caller put the call on hold (<paramref name="held"/>), or took it off: nothing is sent
    /// meanwhile (the leg may not send, and would drop it), so agent audio waits, queued, and plays
    /// when the caller is back. A spurt cut by the hold goes on where it stopped: its clock moves
    /// by the time held, so the caller's buffer is refilled no faster than before.
    /// </summary>
    public void Hold(bool held, long nowMs)
    {
        if (held == IsHeld)
        {
            return;
        }

        if (held)
        {
            _heldSinceMs = nowMs;
            return;
        }

        _spurtStartMs += nowMs - _heldSinceMs;
        _heldSinceMs = -1;
        Tick(nowMs);
    }

    /// <summary>Barge-in: drops queued audio and tells the leg to drop what it buffered.</summary>
    public void Clear()
    {
        _segments.Clear();
        _queuedSamples = 0;
        _audioHead = 0;
        _headTaken = 0;
        foreach (var item in _items.Values)
        {
            item.Ended = true;
        }

        // Marks sent before this clear come back flushed, not played.
        _clears++;
        _active = false;
        _framesSinceMark = 0;
        leg.Clear();
    }

    /// <summary>The leg reports a mark: played, or (after a clear) flushed unplayed.</summary>
    public void OnMark(PlayoutMark mark)
    {
        if (!_pendingMarks.Remove(mark, out var pending))
        {
            return;
        }

        if (pending.Clears != _clears)
        {
            FlushedMarks++;
            return;
        }

        var item = pending.Item;
        item.SamplesHeard = Math.Max(item.SamplesHeard, pending.ItemSamples);
        if (pending.EndsItem && !item.HeardToEnd)
        {
            item.HeardToEnd = true;
            ItemHeard?.Invoke(item);
        }
    }

    /// <summary>A run of one item's audio in the ring; the head run's first <c>_headTaken</c> bytes are sent.</summary>
    private readonly record struct Segment(ItemPlayout Item, int Length);

    /// <summary>What a mark sent acknowledges once echoed; <c>Clears</c>: the clears before it was sent.</summary>
    private readonly record struct PendingMark(ItemPlayout Item, long ItemSamples, bool EndsItem, int Clears);
}
