namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// Reception statistics for one RTP source, as RFC 3550 section 6.4.1 reports them: extended highest
/// sequence (appendix A.1, without the probation period since SDP already told us the source), loss
/// (A.3) and interarrival jitter (A.8, the integer form). Allocation-free per packet.
/// </summary>
/// <remarks>
/// Like the RFC, <see cref="Received"/> counts duplicates, so the cumulative loss can go negative.
/// Duplicates are recognised within the last 64 sequence numbers.
/// </remarks>
public sealed class RtpReceiverStatistics
{
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const int SequenceModulus = 1 << 16;
    private const int MaxCumulativeLost = 0x7FFFFF;
    private const int MinCumulativeLost = -0x800000;

    private readonly int _clockRate;
    private readonly RtcpReportBlock[] _block = new RtcpReportBlock[1];
    private bool _started;
    private ushort _maxSequence;
    private long _cycles;
    private long _baseSequence;
    private int _badSequence = -1;
    private ulong _recent;
    private long _expectedPrior;
    private long _receivedPrior;
    private int _lastTransit;
    private int _jitterQ4;
    private long _lastArrival;
    private uint _lastSenderReport;
    private long _lastSenderReportArrival;

    /// <param name="clockRate">The RTP clock, for the delay since the last sender report. 8000 for G.711.</param>
    public RtpReceiverStatistics(int clockRate = 8000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        _clockRate = clockRate;
    }

    /// <summary>The source reported on; set it from the packets' SSRC (<see cref="OnPacket(uint, ushort, uint, long)"/> does).</summary>
    public uint SourceSsrc { get; set; }

    /// <summary>Highest sequence number seen, with the count of wraps in the high bits.</summary>
    public ulong ExtendedHighestSequence => (ulong)(_cycles + _maxSequence);

    /// <summary>Packets expected from the first to the highest sequence number.</summary>
    public long Expected => _started ? (_cycles + _maxSequence) - _baseSequence + 1 : 0;

    /// <summary>Expected minus received; negative when duplicates outnumber losses.</summary>
    public long CumulativeLost => Expected - Received;

    /// <summary>Interarrival jitter in RTP clock units (A.8).</summary>
    public uint Jitter => (uint)(_jitterQ4 >> 4);

    public long Received { get; private set; }

    public long Duplicates { get; private set; }

    /// <summary>Packets ignored as a jump of the sequence number not (yet) confirmed by the next packet.</summary>
    public long Ignored { get; private set; }

    /// <summary>Counts a packet from <paramref name="ssrc"/>; a new SSRC starts the statistics over.</summary>
    public void OnPacket(uint ssrc, ushort sequence, uint rtpTimestamp, long arrivalSamples)
    {
        if (_started && ssrc != SourceSsrc)
        {
            Restart(sequence);
        }

        SourceSsrc = ssrc;
        OnPacket(sequence, rtpTimestamp, arrivalSamples);
    }

    /// <summary>Counts a packet; <paramref name="arrivalSamples"/> is its arrival time in RTP clock units.</summary>
    public void OnPacket(ushort sequence, uint rtpTimestamp, long arrivalSamples)
    {
        _lastArrival = arrivalSamples;
        if (!_started)
        {
            Restart(sequence);
            _lastTransit = (int)((uint)arrivalSamples - rtpTimestamp);
            Received = 1;
            _recent = 1;
            return;
        }

        int delta = (ushort)(sequence - _maxSequence);
        if (delta < MaxDropout)
        {
            if (sequence < _maxSequence)
            {
                _cycles += SequenceModulus;
            }

            _maxSequence = sequence;
            _recent = delta >= 64 ? 1 : (_recent << delta) | 1;
            if (delta == 0)
            {
                Duplicates++;
            }
        }
        else if (delta <= SequenceModulus - MaxMisorder)
        {
            if (sequence != _badSequence)
            {
                _badSequence = (sequence + 1) & 0xFFFF;
                Ignored++;
                return;
            }

            Restart(sequence);
            _recent = 1;
        }
        else
        {
            int behind = SequenceModulus - delta;
            if (behind < 64)
            {
                ulong bit = 1UL << behind;
                if ((_recent & bit) != 0)
                {
                    Duplicates++;
                }

                _recent |= bit;
            }
        }

        Received++;
        UpdateJitter(rtpTimestamp, arrivalSamples);
    }

    /// <summary>
    /// Fraction of packets lost since the previous call, in 1/256 (A.3); each call starts a new interval,
    /// so call it once per report (<see cref="ReportBlock()"/> does).
    /// </summary>
    public byte FractionLostSinceLastReport()
    {
        long expected = Expected;
        long expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        long receivedInterval = Received - _receivedPrior;
        _receivedPrior = Received;
        long lostInterval = expectedInterval - receivedInterval;
        return expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
    }

    /// <summary>Remembers the sender's last SR for the LSR and DLSR fields (RFC 3550 6.4.1).</summary>
    public void OnSenderReport(ulong ntpTimestamp, long arrivalSamples)
    {
        _lastSenderReport = (uint)(ntpTimestamp >> 16);
        _lastSenderReportArrival = arrivalSamples;
    }

    /// <summary>
    /// The report block for this source, or none before any packet arrived. The delay since the last SR
    /// is measured to <paramref name="nowSamples"/>. Starts a new loss interval.
    /// </summary>
    public ReadOnlySpan<RtcpReportBlock> ReportBlock(long nowSamples)
    {
        if (!_started)
        {
            return [];
        }

        uint delay = _lastSenderReport == 0 ? 0 : (uint)Math.Clamp((nowSamples - _lastSenderReportArrival) * 65536 / _clockRate, 0, uint.MaxValue);
        _block[0] = new RtcpReportBlock(
            SourceSsrc,
            FractionLostSinceLastReport(),
            (int)Math.Clamp(CumulativeLost, MinCumulativeLost, MaxCumulativeLost),
            (uint)ExtendedHighestSequence,
            Jitter,
            _lastSenderReport,
            delay);
        return _block;
    }

    /// <summary>The report block measured to the last packet's arrival (within a frame of now while media flows).</summary>
    public ReadOnlySpan<RtcpReportBlock> ReportBlock() => ReportBlock(_lastArrival);

    private void Restart(ushort sequence)
    {
        _started = true;
        _maxSequence = sequence;
        _cycles = 0;
        _baseSequence = sequence;
        _badSequence = -1;
        Received = 0;
        _expectedPrior = 0;
        _receivedPrior = 0;
    }

    // A.8: transit times differ by an unknown constant offset, which cancels in the difference.
    private void UpdateJitter(uint rtpTimestamp, long arrivalSamples)
    {
        int transit = (int)((uint)arrivalSamples - rtpTimestamp);
        int d = Math.Abs(transit - _lastTransit);
        _lastTransit = transit;
        _jitterQ4 += d - ((_jitterQ4 + 8) >> 4);
    }
}
