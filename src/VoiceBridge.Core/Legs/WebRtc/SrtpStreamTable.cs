namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// Per-SSRC state of one direction (RFC 3711 keeps a crypto context per SSRC), in a small fixed array searched
/// linearly: a browser leg carries one or two SSRCs each way, and a bound keeps a peer from growing it. Entries are
/// allocated once with the table; lookups and updates allocate nothing.
/// </summary>
internal sealed class SrtpStreamTable
{
    public const int MaxStreams = 16;

    private readonly Entry[] _entries = new Entry[MaxStreams];
    private int _count;

    /// <summary>The stream's slot, or -1 when the SSRC has not been seen.</summary>
    public int IndexOf(uint ssrc)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Ssrc == ssrc)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Adds a stream and returns its slot, or -1 when the table is full.</summary>
    public int Add(uint ssrc)
    {
        if (_count == MaxStreams)
        {
            return -1;
        }

        _entries[_count] = new Entry { Ssrc = ssrc };
        return _count++;
    }

    public ref SrtpReplayWindow Window(int slot) => ref _entries[slot].Window;

    /// <summary>The SRTCP index the next packet sent on this stream carries.</summary>
    public ref uint NextRtcpIndex(int slot) => ref _entries[slot].NextRtcpIndex;

    private struct Entry
    {
        public uint Ssrc;
        public SrtpReplayWindow Window;
        public uint NextRtcpIndex;
    }
}
