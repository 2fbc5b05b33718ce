namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// The inbound adaptive jitter buffer of an RTP leg, in the spirit of WebRTC's NetEq, for 20 ms frames
/// of 160 bytes (the leg decodes PCMA to mu-law before inserting, so only payload bytes are stored).
/// </summary>
/// <remarks>
/// <para>Frames are ordered by extended sequence number (16-bit wrap handled) and played on a schedule
/// derived from timestamps (32-bit wrap handled): a frame is due at its timestamp plus the transit of the
/// fastest packet in a sliding window plus the target delay. The target is a high percentile of the
/// window's delays relative to that fastest packet, rounded up to frames; it grows at once and shrinks
/// one frame at a time after a second of lower need.</para>
/// <para>The leg calls <see cref="Pop"/> every 20 ms. A frame running more than a frame behind schedule
/// is dropped (preferably a quiet one: a fast sender clock or a delay that shrank); a frame more than one
/// ahead gets a made-up frame in front of it (a slow clock, a target that grew). A missing frame is
/// concealed by repeating the last one, attenuated, fading to silence. A gap in timestamps (the sender
/// was silent) re-buffers by itself, since the next frame is simply not due yet. A large sequence or
/// timestamp jump is held until the next packet confirms it, then the buffer resets onto the new stream.</para>
/// <para>Deterministic and allocation-free after construction: time comes only from the arguments, and
/// the frames live in one pre-allocated ring. Not thread-safe: the leg serialises calls.</para>
/// </remarks>
public sealed partial class JitterBuffer
{
    /// <summary>Bytes (and samples) of one 20 ms frame at 8 kHz.</summary>
    public const int FrameBytes = 160;

    private const int SamplesPerMs = 8;
    private const int FrameMs = 20;
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const long DiscontinuitySamples = 4L * 8000;
    private const long EmptySlot = long.MinValue;
    private const long SequenceBase = 1L << 20;

    private readonly int _capacity;
    private readonly int _minDelayMs;
    private readonly int _maxDelayMs;
    private readonly int _startDelayMs;
    private readonly int _quietLevel;
    private readonly byte[] _frames;
    private readonly long[] _slotSequence;
    private readonly long[] _slotTimestamp;
    private readonly bool[] _slotPlayed;
    private readonly byte[] _heldPayload = new byte[FrameBytes];

    private bool _hasStream;
    private long _highest;
    private long _highestTimestamp;
    private long _next;
    private int _buffered;

    private bool _held;
    private ushort _heldSequence;
    private uint _heldTimestamp;
    private long _heldArrivalMs;

    private long _late;
    private long _duplicates;
    private long _discarded;
    private long _reordered;
    private long _resets;

    public JitterBuffer(JitterBufferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _capacity = options.CapacityPackets;
        _minDelayMs = options.MinDelayMs;
        _maxDelayMs = options.MaxDelayMs;
        _startDelayMs = options.StartDelayMs;
        _quietLevel = options.QuietLevel;
        _decayPackets = options.DecayPackets;
        _percentile = options.DelayPercentile;
        _frames = new byte[_capacity * FrameBytes];
        _slotSequence = new long[_capacity];
        _slotTimestamp = new long[_capacity];
        _slotPlayed = new bool[_capacity];
        _window = new long[options.WindowPackets];
        _histogram = new int[(_maxDelayMs / FrameMs) + 2];
        ClearStream();
    }

    public JitterBufferStats Stats => new(
        _targetMs, _currentDelayMs, _concealedMs, _late, _duplicates, _discarded, _reordered, _droppedForDrift, _insertedForDrift, _resets, _buffered, _underrunFrames);

    /// <summary>
    /// Stores one received frame. <paramref name="arrivalMs"/> is the receive time on the leg's clock
    /// (any origin, the same as <see cref="Pop"/>'s); when <paramref name="measured"/> is false it says
    /// nothing of the network's delay (a frame the <see cref="RtpReframer"/> completed with silence) and
    /// leaves the target delay alone. Never throws on packet contents.
    /// </summary>
    public JitterInsertResult Insert(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, long arrivalMs, bool measured = true)
    {
        if (payload.Length != FrameBytes)
        {
            _discarded++;
            return JitterInsertResult.BadSize;
        }

        if (!_hasStream)
        {
            StartStream(sequence, timestamp, payload, arrivalMs);
            return JitterInsertResult.Inserted;
        }

        int step = (ushort)(sequence - (ushort)_highest);
        long extended = _highest + (step < 0x8000 ? step : step - 0x10000);
        long extendedTimestamp = _highestTimestamp + (int)(timestamp - (uint)_highestTimestamp);
        long relative = (arrivalMs * SamplesPerMs) - extendedTimestamp;
        if (extended - _highest > MaxDropout || _highest - extended > MaxMisorder || Math.Abs(relative - _minRelative) > DiscontinuitySamples)
        {
            return HoldOrReset(sequence, timestamp, payload, arrivalMs);
        }

        if (_held)
        {
            _held = false;
            _discarded++;
        }

        int slot = Slot(extended);
        if (_slotSequence[slot] == extended)
        {
            _duplicates++;
            return JitterInsertResult.Duplicate;
        }

        if (extended < _next)
        {
            if (_playedAny || _highest - extended >= _capacity)
            {
                _late++;
                _discarded++;
                if (measured)
                {
                    AddDelaySample(relative);
                }

                return JitterInsertResult.TooLate;
            }

            _next = extended;
        }

        if (extended >= _next + _capacity)
        {
            MakeRoom(extended - _capacity + 1);
        }

        payload.CopyTo(_frames.AsSpan(slot * FrameBytes, FrameBytes));
        _slotSequence[slot] = extended;
        _slotTimestamp[slot] = extendedTimestamp;
        _slotPlayed[slot] = false;
        _buffered++;
        if (extended < _highest)
        {
            _reordered++;
        }
        else
        {
            _highest = extended;
            _highestTimestamp = extendedTimestamp;
        }

        if (measured)
        {
            AddDelaySample(relative);
        }

        return JitterInsertResult.Inserted;
    }

    /// <summary>
    /// Whether a frame stamped <paramref name="timestamp"/> plays at a <see cref="Pop"/> at
    /// <paramref name="nowMs"/>, or has had its turn: what waits for the rest of its samples must go in by
    /// then. Before the first frame nothing is due: the schedule starts with it.
    /// </summary>
    public bool IsDue(uint timestamp, long nowMs)
    {
        if (!_hasStream)
        {
            return false;
        }

        long extended = _highestTimestamp + (int)(timestamp - (uint)_highestTimestamp);
        return (nowMs * SamplesPerMs) - DueAt(extended) > -FrameBytes;
    }

    private JitterInsertResult HoldOrReset(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, long arrivalMs)
    {
        uint advance = timestamp - _heldTimestamp;
        if (_held && sequence == (ushort)(_heldSequence + 1) && advance > 0 && advance <= FrameBytes * MaxMisorder)
        {
            _resets++;
            ClearStream();
            StartStream(_heldSequence, _heldTimestamp, _heldPayload, _heldArrivalMs);
            Insert(sequence, timestamp, payload, arrivalMs);
            return JitterInsertResult.Reset;
        }

        if (_held)
        {
            _discarded++;
        }

        _held = true;
        _heldSequence = sequence;
        _heldTimestamp = timestamp;
        _heldArrivalMs = arrivalMs;
        payload.CopyTo(_heldPayload);
        return JitterInsertResult.Held;
    }

    private void StartStream(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, long arrivalMs)
    {
        _hasStream = true;
        _highest = SequenceBase + sequence;
        _highestTimestamp = timestamp;
        _next = _highest;
        int slot = Slot(_highest);
        payload.CopyTo(_frames.AsSpan(slot * FrameBytes, FrameBytes));
        _slotSequence[slot] = _highest;
        _slotTimestamp[slot] = timestamp;
        _slotPlayed[slot] = false;
        _buffered = 1;
        AddDelaySample((arrivalMs * SamplesPerMs) - timestamp);
    }

    /// <summary>Forgets the stream (not the counters): the state of a new buffer.</summary>
    private void ClearStream()
    {
        Array.Fill(_slotSequence, EmptySlot);
        Array.Clear(_slotPlayed);
        _hasStream = false;
        _held = false;
        _buffered = 0;
        _playedAny = false;
        _synthesizedRun = FadeGains.Length;
        _lastEnergy = 0;
        ClearDelayEstimate();
    }

    /// <summary>The ring overflowed (a burst far ahead of playout): drop the oldest frames up to <paramref name="newNext"/>.</summary>
    private void MakeRoom(long newNext)
    {
        for (long sequence = _next; sequence < newNext; sequence++)
        {
            if (IsStored(sequence))
            {
                _slotPlayed[Slot(sequence)] = true;
                _buffered--;
                _discarded++;
            }
        }

        _next = newNext;
    }

    private int Slot(long extended) => (int)(extended % _capacity);

    private bool IsStored(long extended)
    {
        int slot = Slot(extended);
        return _slotSequence[slot] == extended && !_slotPlayed[slot];
    }
}
