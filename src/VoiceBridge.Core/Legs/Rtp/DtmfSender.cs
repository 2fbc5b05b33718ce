namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// The packets of one outbound digit (RFC 4733 section 2.5.1): a first packet with the marker bit, an
/// update every 20 ms with the growing duration, and the end packet three times, all carrying the event's
/// start timestamp. The leg calls <see cref="TryNextPacket"/> once per 20 ms tick instead of sending audio,
/// and gives each packet the next RTP sequence number of its stream.
/// </summary>
public sealed class DtmfSender
{
    private const int EndRepeats = 3;

    private readonly int _frames;
    private readonly int _frameUnits;
    private readonly int _volume;
    private char _digit;
    private uint _timestamp;
    private int _sent;

    /// <param name="durationMs">Tone length, rounded to 20 ms frames; default 100 ms.</param>
    /// <param name="volume">Power level in -dBm0 (0-63); default 10.</param>
    /// <param name="frameUnits">RTP timestamp units per 20 ms at the event's clock: 160 at 8 kHz, 960 for a 48 kHz telephone-event (RFC 4733 section 2.3.5: the duration counts in the stream's clock).</param>
    public DtmfSender(int durationMs = 100, int volume = 10, int frameUnits = 160)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameUnits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(durationMs, 20);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(durationMs, 8000);
        ArgumentOutOfRangeException.ThrowIfNegative(volume);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(volume, 63);
        _frames = durationMs / 20;
        _volume = volume;
        _frameUnits = frameUnits;
        _sent = int.MaxValue;
    }

    /// <summary>A digit is under way: more packets to send.</summary>
    public bool IsActive => _sent < _frames + EndRepeats - 1;

    /// <summary>Starts <paramref name="digit"/> at <paramref name="timestamp"/> (the stream's current RTP timestamp), abandoning any digit under way.</summary>
    public void Start(char digit, uint timestamp)
    {
        if (!Dtmf4733.TryGetCode(digit, out _))
        {
            throw new ArgumentException($"'{digit}' is not a DTMF digit", nameof(digit));
        }

        _digit = digit;
        _timestamp = timestamp;
        _sent = 0;
    }

    /// <summary>Writes the next 4-byte payload; false once the digit's packets are all sent.</summary>
    public bool TryNextPacket(Span<byte> payload, out bool marker, out uint timestamp)
    {
        marker = false;
        timestamp = _timestamp;
        if (!IsActive)
        {
            return false;
        }

        int frames = Math.Min(_sent + 1, _frames);
        bool end = _sent + 1 >= _frames;
        marker = _sent == 0;
        Dtmf4733.Write(payload, _digit, end, _volume, (ushort)(frames * _frameUnits));
        _sent++;
        return true;
    }
}
