namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The highest packet index accepted on one stream and a 64-packet sliding window behind it (RFC 3711 section
/// 3.3.2). For SRTP the highest index also carries the rollover counter and s_l that appendix A's index estimate
/// needs. A mutable struct kept inside <see cref="SrtpStreamTable"/> and only changed through references to it.
/// </summary>
internal struct SrtpReplayWindow
{
    public const int Size = 64;

    private ulong _bitmap;

    /// <summary>False until the first packet of the stream is accepted.</summary>
    public bool Started { get; private set; }

    public ulong Highest { get; private set; }

    /// <summary>
    /// Estimates the 48-bit SRTP index of a sequence number (RFC 3711 appendix A): the rollover counter that puts
    /// it closest to the highest index seen. The first packet of a stream starts at a rollover counter of 0.
    /// </summary>
    public readonly bool TryEstimateIndex(ushort sequence, out ulong index)
    {
        if (!Started)
        {
            index = sequence;
            return true;
        }

        long roc = (long)(Highest >> 16);
        int last = (ushort)Highest;
        long guess = last < 32768
            ? (sequence - last > 32768 ? roc - 1 : roc)
            : (last - 32768 > sequence ? roc + 1 : roc);
        if (guess is < 0 or > uint.MaxValue)
        {
            index = 0;
            return false;
        }

        index = ((ulong)guess << 16) | sequence;
        return true;
    }

    /// <summary>Whether a packet with this index may be accepted; looks, changes nothing.</summary>
    public readonly SrtpStatus Check(ulong index)
    {
        if (!Started || index > Highest)
        {
            return SrtpStatus.Ok;
        }

        ulong behind = Highest - index;
        if (behind >= Size)
        {
            return SrtpStatus.TooOld;
        }

        return ((_bitmap >> (int)behind) & 1) != 0 ? SrtpStatus.Replayed : SrtpStatus.Ok;
    }

    /// <summary>Records an authenticated index, sliding the window when it is a new highest.</summary>
    public void Accept(ulong index)
    {
        if (!Started)
        {
            Started = true;
            Highest = index;
            _bitmap = 1;
        }
        else if (index > Highest)
        {
            ulong ahead = index - Highest;
            _bitmap = ahead >= Size ? 1 : (_bitmap << (int)ahead) | 1;
            Highest = index;
        }
        else
        {
            _bitmap |= 1UL << (int)(Highest - index);
        }
    }
}
