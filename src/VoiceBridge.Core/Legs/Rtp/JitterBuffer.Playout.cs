using VoiceBridge.Media;

namespace VoiceBridge.Legs.Rtp;

/// <summary>Playout: one frame per call, with drift correction and loss concealment.</summary>
public sealed partial class JitterBuffer
{
    // Gain (Q8) of the n-th made-up frame in a row: the repeated frame fades out over 100 ms.
    private static readonly int[] FadeGains = [205, 154, 102, 51, 0];

    private readonly byte[] _last = new byte[FrameBytes];
    private bool _playedAny;
    private int _synthesizedRun;
    private int _lastEnergy;
    private int _currentDelayMs;
    private long _concealedMs;
    private long _droppedForDrift;
    private long _insertedForDrift;
    private long _underrunFrames;

    /// <summary>
    /// Writes the next 20 ms into the first 160 bytes of <paramref name="frame160"/> and says what it is.
    /// Call every 20 ms with the leg's clock (the same as <see cref="Insert"/>'s arrival times).
    /// </summary>
    public JitterFrameKind Pop(Span<byte> frame160, long nowMs)
    {
        if (frame160.Length < FrameBytes)
        {
            throw new ArgumentException($"frame needs {FrameBytes} bytes, got {frame160.Length}", nameof(frame160));
        }

        Span<byte> frame = frame160[..FrameBytes];
        if (!_hasStream)
        {
            return Silence(frame);
        }

        long now = nowMs * SamplesPerMs;
        for (int guard = 0; guard <= _capacity; guard++)
        {
            if (!IsStored(_next))
            {
                long earliest = _buffered > 0 ? EarliestAfter(_next) : -1;
                if (earliest >= 0)
                {
                    // A gap. Its frames' schedule follows from the next frame's; after an underrun the
                    // play position may be frames behind it, so skip what is over a frame late.
                    long behind = (now - Due(earliest) + ((earliest - _next) * FrameBytes)) / FrameBytes;
                    if (behind >= 1)
                    {
                        _next = Math.Min(_next + behind, earliest);
                        continue;
                    }

                    _next++;
                    return Conceal(frame);
                }

                // Underrun: nothing to play. Keep waiting for this frame; once faded, that is silence.
                if (_synthesizedRun >= FadeGains.Length)
                {
                    return Silence(frame);
                }

                _underrunFrames++;
                return Conceal(frame);
            }

            long lateness = now - Due(_next);
            if (lateness >= FrameBytes && IsStored(_next + 1) && (lateness >= 3 * FrameBytes || Energy(FrameAt(_next)) < _quietLevel))
            {
                Consume(_next);
                _droppedForDrift++;
                continue;
            }

            if (lateness <= -FrameBytes)
            {
                if (!_playedAny || _synthesizedRun >= FadeGains.Length)
                {
                    return Silence(frame);
                }

                if (lateness <= -3 * FrameBytes || _lastEnergy < _quietLevel)
                {
                    _insertedForDrift++;
                    return Conceal(frame);
                }
            }

            return Play(frame, lateness);
        }

        return Conceal(frame);
    }

    private JitterFrameKind Play(Span<byte> frame, long lateness)
    {
        ReadOnlySpan<byte> source = FrameAt(_next);
        source.CopyTo(frame);
        source.CopyTo(_last);
        _lastEnergy = Energy(source);
        _currentDelayMs = (int)Math.Max(0, (lateness / SamplesPerMs) + _targetMs);
        Consume(_next);
        _playedAny = true;
        _synthesizedRun = 0;
        return JitterFrameKind.Normal;
    }

    /// <summary>Repeats the last played frame with the next gain of the fade, ramping from the previous gain so there is no step.</summary>
    private JitterFrameKind Conceal(Span<byte> frame)
    {
        if (!_playedAny)
        {
            return Silence(frame);
        }

        int from = _synthesizedRun == 0 ? 256 : FadeGains[Math.Min(_synthesizedRun - 1, FadeGains.Length - 1)];
        int to = FadeGains[Math.Min(_synthesizedRun, FadeGains.Length - 1)];
        _synthesizedRun++;
        _concealedMs += FrameMs;
        if (from == 0 && to == 0)
        {
            frame.Fill(G711.MuLawSilence);
            return JitterFrameKind.Concealed;
        }

        for (int i = 0; i < FrameBytes; i++)
        {
            int gain = from + ((to - from) * i / FrameBytes);
            frame[i] = G711.LinearToMuLaw((short)(G711.MuLawToLinear(_last[i]) * gain / 256));
        }

        return JitterFrameKind.Concealed;
    }

    private JitterFrameKind Silence(Span<byte> frame)
    {
        frame.Fill(G711.MuLawSilence);
        if (_synthesizedRun < FadeGains.Length)
        {
            _synthesizedRun = FadeGains.Length;
        }

        return JitterFrameKind.Silence;
    }

    private void Consume(long extended)
    {
        _slotPlayed[Slot(extended)] = true;
        _buffered--;
        _next = extended + 1;
    }

    private long EarliestAfter(long extended)
    {
        for (long sequence = extended + 1; sequence <= _highest && sequence < extended + _capacity; sequence++)
        {
            if (IsStored(sequence))
            {
                return sequence;
            }
        }

        return -1;
    }

    /// <summary>When the stored frame should play, in samples on the arrival clock (<see cref="DueAt"/> of its timestamp).</summary>
    private long Due(long extended) => DueAt(_slotTimestamp[Slot(extended)]);

    /// <summary>When a frame stamped <paramref name="extendedTimestamp"/> should play: its timestamp, plus the fastest transit, plus the target.</summary>
    private long DueAt(long extendedTimestamp) => extendedTimestamp + _minRelative + ((long)_targetMs * SamplesPerMs);

    private ReadOnlySpan<byte> FrameAt(long extended) => _frames.AsSpan(Slot(extended) * FrameBytes, FrameBytes);

    private static int Energy(ReadOnlySpan<byte> frame)
    {
        int sum = 0;
        foreach (byte code in frame)
        {
            sum += Math.Abs((int)G711.MuLawToLinear(code));
        }

        return sum / frame.Length;
    }
}
