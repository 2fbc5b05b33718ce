using System.Buffers.Binary;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>Ogg page surgery for the Ogg decoders' tests (RFC 3533: a 27-byte header, the segment table, then the body).</summary>
internal static class OggPages
{
    public static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Media", "Ogg", name);

    /// <summary>Where each page starts.</summary>
    public static List<int> Offsets(byte[] bytes)
    {
        var offsets = new List<int>();
        for (var at = 0; at < bytes.Length;)
        {
            offsets.Add(at);
            at += Length(bytes, at);
        }

        return offsets;
    }

    public static int Length(byte[] bytes, int at)
    {
        int segments = bytes[at + 26];
        return 27 + segments + bytes.AsSpan(at + 27, segments).ToArray().Sum(b => b);
    }

    /// <summary>A one-segment page of another logical stream (serial 0x5EED), with its CRC.</summary>
    public static byte[] Foreign(byte flags, byte[] body)
    {
        var page = new byte[27 + 1 + body.Length];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), 0x5EED);
        page[26] = 1;
        page[27] = (byte)body.Length;
        body.CopyTo(page, 28);
        Recrc(page, 0);
        return page;
    }

    /// <summary>Rewrites the CRC of the page at <paramref name="at"/> (Ogg's: polynomial 0x04C11DB7, MSB first, CRC field zeroed).</summary>
    public static void Recrc(byte[] bytes, int at)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 22), 0);
        uint crc = 0;
        foreach (var b in bytes.AsSpan(at, Length(bytes, at)))
        {
            crc ^= (uint)b << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 22), crc);
    }

    /// <summary>Signal to difference of a decoding against its reference, in dB.</summary>
    /// <summary>
    /// A recording whose packets between <paramref name="gapFromS"/> and <paramref name="gapToS"/>
    /// were dropped (DTX) but whose timestamps were kept: as long as the whole one, the same before
    /// the gap, silent in it, and the same again once the decoder has caught up after it.
    /// </summary>
    public static void AssertGapKeptAsSilence(short[] whole, short[] gapped, double gapFromS, double gapToS)
    {
        static int At(double seconds) => (int)(seconds * 8000);
        Assert.Equal(whole.Length, gapped.Length);
        Assert.Equal(whole[..At(gapFromS - 0.05)], gapped[..At(gapFromS - 0.05)]);
        Assert.True(Signals.Rms(gapped[At(gapFromS + 0.05)..At(gapToS - 0.05)]) < 1, "the gap is silence");
        Assert.True(Signals.Rms(whole[At(gapFromS + 0.05)..At(gapToS - 0.05)]) > 100, "the dropped packets held sound");
        var ratioDb = SignalToDifferenceDb(whole[At(gapToS + 0.2)..], gapped[At(gapToS + 0.2)..]);
        Assert.True(ratioDb >= 20, $"after the gap the audio is not where it was: {ratioDb:0.0} dB signal to difference");
    }

    public static double SignalToDifferenceDb(short[] reference, short[] decoded)
    {
        double signal = 0, difference = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            signal += (double)reference[i] * reference[i];
            difference += (double)(reference[i] - decoded[i]) * (reference[i] - decoded[i]);
        }

        return 10 * Math.Log10(signal / Math.Max(difference, 1));
    }
}
