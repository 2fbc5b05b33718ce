using System.Buffers.Binary;

namespace VoiceBridge.Legs.Rtp;

/// <summary>One telephone-event payload (RFC 4733 section 2.3), with the RTP timestamp that identifies its event.</summary>
/// <param name="Digit">0-9, *, #, A-D.</param>
/// <param name="End">The E bit: the event has ended (sent three times).</param>
/// <param name="Volume">Power level in -dBm0, 0-63.</param>
/// <param name="Duration">Length so far in RTP clock units, from the event's timestamp.</param>
/// <param name="Timestamp">The RTP timestamp: the event's start, the same in every packet of one event.</param>
public readonly record struct DtmfEvent(char Digit, bool End, int Volume, int Duration, uint Timestamp);

/// <summary>The RFC 4733 telephone-event payload for the 16 DTMF events (codes 0-15).</summary>
public static class Dtmf4733
{
    /// <summary>Bytes of one event payload.</summary>
    public const int PayloadLength = 4;

    private const string Digits = "0123456789*#ABCD";

    /// <summary>Reads the first event of <paramref name="payload"/>; false with a reason for a short payload or a non-DTMF event code.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, uint rtpTimestamp, out DtmfEvent e, out string? error)
    {
        e = default;
        if (payload.Length < PayloadLength)
        {
            error = $"telephone-event payload is {payload.Length} bytes, needs {PayloadLength}";
            return false;
        }

        if (payload[0] >= Digits.Length)
        {
            error = $"telephone-event code {payload[0]} is not a DTMF digit (0-15)";
            return false;
        }

        e = new DtmfEvent(Digits[payload[0]], (payload[1] & 0x80) != 0, payload[1] & 0x3F, BinaryPrimitives.ReadUInt16BigEndian(payload[2..]), rtpTimestamp);
        error = null;
        return true;
    }

    /// <summary>Writes one event payload; returns 4. Throws for a character that is not a DTMF digit or a volume outside 0-63.</summary>
    public static int Write(Span<byte> dest, char digit, bool end, int volume, ushort duration)
    {
        if (!TryGetCode(digit, out byte code))
        {
            throw new ArgumentException($"'{digit}' is not a DTMF digit", nameof(digit));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(volume);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(volume, 63);
        ArgumentOutOfRangeException.ThrowIfLessThan(dest.Length, PayloadLength, nameof(dest));
        dest[0] = code;
        dest[1] = (byte)((end ? 0x80 : 0) | volume);
        BinaryPrimitives.WriteUInt16BigEndian(dest[2..], duration);
        return PayloadLength;
    }

    /// <summary>The event code of a DTMF digit (lower-case a-d accepted).</summary>
    public static bool TryGetCode(char digit, out byte code)
    {
        int index = Digits.IndexOf(char.ToUpperInvariant(digit), StringComparison.Ordinal);
        code = (byte)Math.Max(index, 0);
        return index >= 0;
    }
}
