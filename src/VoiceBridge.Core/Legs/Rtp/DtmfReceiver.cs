namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// Turns telephone-event packets into digits, once each. Every packet of one event carries the event's
/// start timestamp (RFC 4733 section 2.5.1), so the first packet seen of a new timestamp is the digit,
/// whether or not its start or end packets arrive; updates and the repeated end packets are ignored.
/// A few recent timestamps are remembered so a straggler of an earlier event is not taken for a new one.
/// </summary>
public sealed class DtmfReceiver
{
    private readonly uint[] _recent = new uint[4];
    private int _count;
    private int _next;

    /// <summary>True, with the digit, on the first packet of an event; false for the rest of its packets.</summary>
    public bool OnPacket(in DtmfEvent e, out char digit)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_recent[i] == e.Timestamp)
            {
                digit = default;
                return false;
            }
        }

        _recent[_next] = e.Timestamp;
        _next = (_next + 1) % _recent.Length;
        _count = Math.Min(_count + 1, _recent.Length);
        digit = e.Digit;
        return true;
    }
}
