using VoiceBridge.Legs;
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
        long available = -_headTaken;
        foreach (var segment in _segments)
        {
            if (segment.Item != item)
            {
                return true;
            }

            available += segment.Length;
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
            var n = Math.Min(segment.Length - _headTaken, _frame.Length - filled);
            Take(_frame.AsSpan(filled, n));
            _headTaken += n;
            filled += n;
            if (_headTaken == segment.Length)
            {
                _segments.Dequeue();
                _headTaken = 0;
            }
        }

        _frame.AsSpan(filled).Fill(G711.MuLawSilence);
        _queuedSamples -= filled;
        item.SamplesSent += filled;
        return true;
    }

    /// <summary>Copies audio to the ring's tail, growing the ring (in order) when it is full.</summary>
    private void Append(ReadOnlySpan<byte> mulaw)
    {
        var count = (int)_queuedSamples;
        if (count + mulaw.Length > _audio.Length)
        {
            var bigger = new byte[Math.Max(count + mulaw.Length, _audio.Length * 2)];
            CopyFromHead(bigger.AsSpan(0, count));
            _audio = bigger;
            _audioHead = 0;
        }

        var tail = (_audioHead + count) % _audio.Length;
        var first = Math.Min(mulaw.Length, _audio.Length - tail);
        mulaw[..first].CopyTo(_audio.AsSpan(tail));
        mulaw[first..].CopyTo(_audio);
    }

    /// <summary>Moves the ring's first <c>destination.Length</c> bytes out.</summary>
    private void Take(Span<byte> destination)
    {
        CopyFromHead(destination);
        _audioHead = (_audioHead + destination.Length) % _audio.Length;
    }

    private void CopyFromHead(Span<byte> destination)
    {
        var first = Math.Min(destination.Length, _audio.Length - _audioHead);
        _audio.AsSpan(_audioHead, first).CopyTo(destination);
        _audio.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
    }

    private void SendFrame(ItemPlayout item)
    {
        leg.SendAudio(_frame);
        FramesSent++;
        _spurtSent++;
        AgentAudio.Played(_spurtStartMs + ((_spurtSent - 1) * CallClock.FrameMs));
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
        SendMark(item, endsItem: true);
        ItemSent?.Invoke(item);
    }

    private void SendMark(ItemPlayout item, bool endsItem)
    {
        var mark = new PlayoutMark(item.Generation, OutboundPosition);
        _pendingMarks[mark] = new PendingMark(item, item.SamplesSent, endsItem, _clears);
        _framesSinceMark = 0;
        leg.SendMark(mark);
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
}
