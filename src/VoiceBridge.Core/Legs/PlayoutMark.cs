using System.Buffers.Text;

namespace VoiceBridge.Legs;

/// <summary>
/// A mark the playout buffer puts after audio it sent: the engine generation of the item the audio
/// belongs to and the call's outbound position (samples sent) it follows. A value, so sending a mark
/// and matching its echo allocate nothing. On the wire (a Twilio mark's name) it reads
/// <c>g{generation}-{position}</c>, e.g. <c>g1-48000</c>, written into and parsed from UTF-8 spans.
/// </summary>
public readonly record struct PlayoutMark(int Generation, long Position)
{
    /// <summary>The longest name in UTF-8 bytes: <c>g</c>, an int, <c>-</c>, a long.</summary>
    public const int MaxNameBytes = 1 + 11 + 1 + 20;

    /// <summary>Writes the name into <paramref name="utf8"/> (at least <see cref="MaxNameBytes"/> long); returns its length.</summary>
    public int FormatName(Span<byte> utf8)
    {
        // Utf8Formatter, not an interpolated Utf8.TryWrite: that boxes the numbers until the JIT's
        // optimised tier, and a mark is written every 100 ms of every call.
        if (utf8.Length < MaxNameBytes)
        {
            throw new ArgumentException($"A mark name needs {MaxNameBytes} bytes of room.", nameof(utf8));
        }

        utf8[0] = (byte)'g';
        Utf8Formatter.TryFormat(Generation, utf8[1..], out var generationBytes);
        utf8[1 + generationBytes] = (byte)'-';
        Utf8Formatter.TryFormat(Position, utf8[(2 + generationBytes)..], out var positionBytes);
        return 2 + generationBytes + positionBytes;
    }

    /// <summary>Reads a name this type wrote; false for any other text (a mark someone else named).</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out PlayoutMark mark)
    {
        mark = default;
        if (utf8.Length < 4 || utf8.Length > MaxNameBytes || utf8[0] != (byte)'g'
            || !Utf8Parser.TryParse(utf8[1..], out int generation, out var used) || generation < 0)
        {
            return false;
        }

        var rest = utf8[(1 + used)..];
        if (rest.Length < 2 || rest[0] != (byte)'-' || !Utf8Parser.TryParse(rest[1..], out long position, out var positionUsed)
            || positionUsed != rest.Length - 1 || position < 0)
        {
            return false;
        }

        mark = new PlayoutMark(generation, position);
        return true;
    }

    public override string ToString() => $"g{Generation}-{Position}";
}
