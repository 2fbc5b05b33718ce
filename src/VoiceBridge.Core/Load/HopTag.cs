using System.Diagnostics;

namespace VoiceBridge.Load;

/// <summary>
/// A timestamp carried inside real mu-law audio, so a hop can be timed from outside a bridge that
/// passes G.711 through unchanged (VoiceBridge and the Node sample both do). The first
/// <see cref="Length"/> bytes of a frame become a 4-byte magic and the low 32 bits of the sender's
/// monotonic clock in microseconds, one nibble per byte. Every byte is a mu-law code of magnitude
/// 120 or less (out of 32767), about -48 dBFS, so a tagged frame still sounds, and reads to a VAD,
/// as the audio it was. <see cref="Stopwatch.GetTimestamp"/> is CLOCK_MONOTONIC on Linux, the same
/// clock in every process of the machine, so the receiver's clock minus the tag is the hop.
/// </summary>
public static class HopTag
{
    /// <summary>Bytes a tag takes at the start of a frame.</summary>
    public const int Length = 12;

    /// <summary>Mu-law codes 0x70-0x7F and 0xF0-0xFF are the quietest (negative, positive): the magic alternates them.</summary>
    private static ReadOnlySpan<byte> Magic => [0x71, 0xF2, 0x73, 0xF4];

    /// <summary>Now on the machine-wide monotonic clock, in microseconds (low 32 bits are what a tag carries).</summary>
    public static long NowMicros() => MicrosOf(Stopwatch.GetTimestamp());

    /// <summary>A <see cref="Stopwatch"/> timestamp in microseconds.</summary>
    public static long MicrosOf(long timestamp) => (long)(timestamp * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>Writes the tag for <paramref name="micros"/> over the first bytes of <paramref name="frame"/>; false when it is too short.</summary>
    public static bool TryWrite(Span<byte> frame, long micros)
    {
        if (frame.Length < Length)
        {
            return false;
        }

        Magic.CopyTo(frame);
        var value = (uint)micros;
        for (var i = 0; i < 8; i++)
        {
            frame[Magic.Length + i] = (byte)(0xF0 | ((value >> (28 - (4 * i))) & 0xF));
        }

        return true;
    }

    /// <summary>The tag's 32-bit microsecond stamp, when <paramref name="audio"/> starts with one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> audio, out uint micros)
    {
        micros = 0;
        if (audio.Length < Length || !audio[..Magic.Length].SequenceEqual(Magic))
        {
            return false;
        }

        for (var i = 0; i < 8; i++)
        {
            var b = audio[Magic.Length + i];
            if ((b & 0xF0) != 0xF0)
            {
                return false;
            }

            micros = (micros << 4) | (uint)(b & 0xF);
        }

        return true;
    }

    /// <summary>
    /// Microseconds from a tag's stamp to <paramref name="nowMicros"/>, modulo 2^32 (a stamp wraps every
    /// 71 minutes; a hop is far shorter). A stamp from the future (another clock) reads as a huge value.
    /// </summary>
    public static long ElapsedMicros(uint stamp, long nowMicros) => (uint)((uint)nowMicros - stamp);
}
