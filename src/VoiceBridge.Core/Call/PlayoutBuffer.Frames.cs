using VoiceBridge.Media;

namespace VoiceBridge.Call;

public sealed partial class PlayoutBuffer
{
    private bool HasFrame()
    {
        if (_segments.Count == 0)
        {
            return false;
        }

        var item = _segments.Peek().Item;
        var available = 0L;
        foreach (var segment in _segments)
        {
            if (segment.Item != item)
            {
                return true;
            }

            available += segment.Remaining;
            if (available >= CallClock.FrameSamples)
            {
                return true;
            }
        }

        return item.Ended;
    }

    private bool AllQueuedItemsEnded()
    {
        foreach (var segment in _segments)
        {
            if (!segment.Item.Ended)
            {
                return false;
            }
        }

        return _lastSentItem is null || !_items.TryGetValue(_lastSentItem, out var last) || last.Ended;
    }

    /// <summary>Assembles one frame from the head item, padding an ended item's tail with silence.</summary>
    private bool TryTakeFrame(out ItemPlayout item)
    {
        item = null!;
        if (!HasFrame())
        {
            return false;
        }

        item = _segments.Peek().Item;
        var filled = 0;
        while (filled < _frame.Length && _segments.Count > 0 && _segments.Peek().Item == item)
        {
            var segment = _segments.Peek();
            var n = Math.Min(segment.Remaining, _frame.Length - filled);
            segment.Data.AsSpan(segment.Offset, n).CopyTo(_frame.AsSpan(filled));
            segment.Offset += n;
            filled += n;
            if (segment.Remaining == 0)
            {
                _segments.Dequeue();
            }
        }

        _frame.AsSpan(filled).Fill(G711.MuLawSilence);
        _queuedSamples -= filled;
        item.SamplesSent += filled;
        return true;
    }

    private void SendFrame(ItemPlayout item)
    {
        leg.SendAudio(_frame);
        FramesSent++;
        _spurtSent++;
        _framesSinceMark++;
        _lastSentItem = item.ItemId;
        if (!item.Started)
        {
            item.Started = true;
            ItemStarted?.Invoke(item);
        }

        if (item.Ended && item.SamplesSent >= item.SamplesQueued)
        {
            MarkItemEnd(item);
        }
        else if (_framesSinceMark >= options.MarkEveryFrames)
        {
            SendMark(item, endsItem: false);
        }
    }

    private void MarkItemEnd(ItemPlayout item)
    {
        item.EndsAtMs = (_spurtStartTick + _spurtSent) * CallClock.FrameMs;
        SendMark(item, endsItem: true);
        ItemSent?.Invoke(item);
    }

    private void SendMark(ItemPlayout item, bool endsItem)
    {
        var name = $"g{item.Generation}-{OutboundPosition}";
        _pendingMarks[name] = new MarkInfo(item, item.SamplesSent, endsItem);
        _framesSinceMark = 0;
        leg.SendMark(name);
    }
}

/// <summary>Playout bookkeeping of one agent item (a response's audio).</summary>
public sealed class ItemPlayout(string itemId, int generation)
{
    public string ItemId { get; } = itemId;

    public int Generation { get; } = generation;

    public long SamplesQueued { get; internal set; }

    public long SamplesSent { get; internal set; }

    /// <summary>Samples the caller is known (by mark) to have heard.</summary>
    public long SamplesHeard { get; internal set; }

    public bool Ended { get; internal set; }

    public bool Started { get; internal set; }

    public bool HeardToEnd { get; internal set; }

    /// <summary>When its last frame plays at the caller's end (call ms), once it has been sent.</summary>
    public long EndsAtMs { get; internal set; }
}
