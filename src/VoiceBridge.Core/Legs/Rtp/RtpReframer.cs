using VoiceBridge.Media;

namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// Cuts a caller's packets of any duration into the 20 ms frames the <see cref="JitterBuffer"/> holds:
/// G.711 at 10, 30 or 60 ms a packet (many gateways and desk phones send 30 ms whatever the answer's
/// <c>a=ptime:20</c> says, which is only a preference: RFC 4566 section 6), Opus of 2.5 to 120 ms.
/// </summary>
/// <remarks>
/// <para>Frames lie on a 20 ms grid counted from the stream's first timestamp: frame k holds the samples
/// at timestamps base + 160k to base + 160k + 159, from whichever packets carry them. A frame goes to the
/// jitter buffer as soon as all its samples are in, numbered k (its sequence number, modulo 2^16) and
/// stamped base + 160k, so the buffer orders, schedules and conceals them as it does 20 ms packets; a
/// silence in the sender's timestamps is a gap in the numbers, which the buffer skips on schedule.</para>
/// <para>A frame whose other samples do not come (a lost packet, the end of a talk spurt) goes on with
/// silence in their place when the jitter buffer would play it (asked before each pop). Its arrival
/// says nothing of the network's delay, so it does not move the buffer's target. A frame that arrives
/// again after it went on is taken as new: the jitter buffer drops it as a duplicate or as late.</para>
/// <para>Allocation-free after construction. Not thread-safe: the leg serialises calls.</para>
/// </remarks>
public sealed class RtpReframer
{
    /// <summary>The longest packet taken, in 8 kHz samples: 120 ms, Opus's longest.</summary>
    public const int MaxPacketSamples = 960;

    private const int FrameBytes = JitterBuffer.FrameBytes;
    private const int Slots = 8;
    private const long Empty = long.MinValue;

    private readonly JitterBuffer _target;
    private readonly byte[] _samples = new byte[Slots * FrameBytes];
    private readonly bool[] _filled = new bool[Slots * FrameBytes];
    private readonly long[] _frame = new long[Slots];
    private readonly int[] _count = new int[Slots];
    private bool _started;
    private uint _base;

    public RtpReframer(JitterBuffer target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        Array.Fill(_frame, Empty);
    }

    /// <summary>Frames that went on with silence in place of samples that never came.</summary>
    public long PartialFrames { get; private set; }

    /// <summary>
    /// Takes one packet's audio: <paramref name="mulaw"/> (at most <see cref="MaxPacketSamples"/>) starting
    /// at <paramref name="timestamp"/> on the 8 kHz clock, received at <paramref name="arrivalMs"/>.
    /// </summary>
    public void Add(uint timestamp, ReadOnlySpan<byte> mulaw, long arrivalMs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mulaw.Length, MaxPacketSamples, nameof(mulaw));
        if (mulaw.IsEmpty)
        {
            return;
        }

        if (!_started)
        {
            _started = true;
            _base = timestamp;
        }

        long offset = (int)(timestamp - _base);
        int position = 0;
        while (position < mulaw.Length)
        {
            long sample = offset + position;
            long frame = sample >= 0 ? sample / FrameBytes : ((sample + 1) / FrameBytes) - 1;
            int within = (int)(sample - (frame * FrameBytes));
            int take = Math.Min(FrameBytes - within, mulaw.Length - position);
            int slot = SlotFor(frame, arrivalMs);
            Fill(slot, within, mulaw.Slice(position, take));
            position += take;
            if (_count[slot] == FrameBytes)
            {
                Pass(slot, arrivalMs, measured: true);
            }
        }
    }

    /// <summary>
    /// Passes on, with silence for what is missing, the frames the jitter buffer would play at a
    /// <see cref="JitterBuffer.Pop"/> at <paramref name="nowMs"/>: the leg calls it before each.
    /// </summary>
    public void Flush(long nowMs)
    {
        while (Oldest() is var slot && slot >= 0 && _target.IsDue(Timestamp(_frame[slot]), nowMs))
        {
            PassPartial(slot, nowMs);
        }
    }

    private int SlotFor(long frame, long arrivalMs)
    {
        int free = -1;
        for (int slot = 0; slot < Slots; slot++)
        {
            if (_frame[slot] == frame)
            {
                return slot;
            }

            if (free < 0 && _frame[slot] == Empty)
            {
                free = slot;
            }
        }

        if (free < 0)
        {
            free = Oldest();
            PassPartial(free, arrivalMs);
        }

        _frame[free] = frame;
        return free;
    }

    private void Fill(int slot, int within, ReadOnlySpan<byte> samples)
    {
        int at = (slot * FrameBytes) + within;
        for (int i = 0; i < samples.Length; i++)
        {
            if (!_filled[at + i])
            {
                _filled[at + i] = true;
                _count[slot]++;
            }

            _samples[at + i] = samples[i];
        }
    }

    /// <summary>The waiting slot with the lowest frame number, or -1.</summary>
    private int Oldest()
    {
        int oldest = -1;
        for (int slot = 0; slot < Slots; slot++)
        {
            if (_frame[slot] != Empty && (oldest < 0 || _frame[slot] < _frame[oldest]))
            {
                oldest = slot;
            }
        }

        return oldest;
    }

    /// <summary>Silence where samples are missing, then on.</summary>
    private void PassPartial(int slot, long nowMs)
    {
        int at = slot * FrameBytes;
        for (int i = at; i < at + FrameBytes; i++)
        {
            if (!_filled[i])
            {
                _samples[i] = G711.MuLawSilence;
            }
        }

        PartialFrames++;
        Pass(slot, nowMs, measured: false);
    }

    private void Pass(int slot, long arrivalMs, bool measured)
    {
        long frame = _frame[slot];
        _target.Insert((ushort)frame, Timestamp(frame), _samples.AsSpan(slot * FrameBytes, FrameBytes), arrivalMs, measured);
        _frame[slot] = Empty;
        _count[slot] = 0;
        Array.Clear(_filled, slot * FrameBytes, FrameBytes);
    }

    private uint Timestamp(long frame) => unchecked(_base + (uint)(frame * FrameBytes));
}
