using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// The caller's audio (G.711 mu-law, 8 kHz) with sample positions on the call clock, kept from the
/// last position the active engine acknowledged onward, so that a handoff can replay what the next
/// engine has not heard. Bounded: when the unacknowledged span outgrows the capacity the oldest
/// audio is dropped; what no engine had heard yet is counted in <see cref="LostSamples"/>, never
/// silently. (Dropped audio an engine did hear is lost only if a handoff later needs it again: the
/// switch's own figure, <see cref="SwitchRecord.LostCallerAudioMs"/>.)
/// </summary>
public sealed class CallerAudioLog
{
    private readonly byte[] _ring;
    private long _start;
    private long _end;
    private long _heardUntil;

    public CallerAudioLog(TimeSpan capacity)
    {
        var samples = CallClock.MsToSamples((long)capacity.TotalMilliseconds);
        if (samples < CallClock.FrameSamples)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the caller audio log must hold at least one 20 ms frame");
        }

        _ring = new byte[samples];
    }

    /// <summary>First position still held (the acknowledged point, or later after an overflow).</summary>
    public long Start => _start;

    /// <summary>Position just after the newest sample appended.</summary>
    public long End => _end;

    /// <summary>The last position an engine acknowledged.</summary>
    public long AcknowledgedPosition { get; private set; }

    /// <summary>Samples dropped because the log was full before any engine heard them: lost caller audio.</summary>
    public long LostSamples { get; private set; }

    public int CapacitySamples => _ring.Length;

    /// <summary>Appends the next contiguous caller audio; positions must not go backwards.</summary>
    public void Append(long position, ReadOnlySpan<byte> mulaw)
    {
        if (position != _end)
        {
            if (position < _end)
            {
                throw new ArgumentException($"caller audio at {position} overlaps what the log holds (up to {_end})", nameof(position));
            }

            // A gap in the caller's stream: keep positions true by filling it with silence.
            FillSilence(position - _end);
        }

        Write(mulaw);
    }

    /// <summary>Drops audio before <paramref name="position"/>: the engine has it for good.</summary>
    public void Acknowledge(long position)
    {
        position = Math.Clamp(position, _start, _end);
        AcknowledgedPosition = Math.Max(AcknowledgedPosition, position);
        _start = Math.Max(_start, position);
    }

    /// <summary>An engine has been sent the audio before <paramref name="position"/> (live, or replayed from the log).</summary>
    public void Heard(long position) => _heardUntil = Math.Max(_heardUntil, position);

    /// <summary>Copies held audio from <paramref name="from"/> (clamped to what is held) into <paramref name="destination"/>.</summary>
    public int Read(long from, Span<byte> destination)
    {
        from = Math.Max(from, _start);
        var count = (int)Math.Min(destination.Length, Math.Max(0, _end - from));
        for (var i = 0; i < count;)
        {
            var index = (int)((from + i) % _ring.Length);
            var run = Math.Min(count - i, _ring.Length - index);
            _ring.AsSpan(index, run).CopyTo(destination[i..]);
            i += run;
        }

        return count;
    }

    private void FillSilence(long samples)
    {
        Span<byte> silence = stackalloc byte[CallClock.FrameSamples];
        silence.Fill(G711.MuLawSilence);
        while (samples > 0)
        {
            var n = (int)Math.Min(samples, silence.Length);
            Write(silence[..n]);
            samples -= n;
        }
    }

    private void Write(ReadOnlySpan<byte> data)
    {
        var overflow = _end + data.Length - _start - _ring.Length;
        if (overflow > 0)
        {
            // The oldest samples of what is held plus what is being written go (all of them after the
            // acknowledged point, which is never past the start); those no engine has heard are lost.
            LostSamples += Math.Max(0, _start + overflow - Math.Max(_start, _heardUntil));
            _start += overflow;
        }

        for (var i = 0; i < data.Length;)
        {
            var index = (int)((_end + i) % _ring.Length);
            var run = Math.Min(data.Length - i, _ring.Length - index);
            data.Slice(i, run).CopyTo(_ring.AsSpan(index));
            i += run;
        }

        _end += data.Length;
    }
}
