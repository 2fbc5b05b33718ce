namespace VoiceBridge.Media;

/// <summary>
/// Tables of the CRCs computed most significant bit first, unreflected, from an initial 0: Ogg's
/// CRC-32 (0x04C11DB7) and FLAC's CRC-8 (0x07) and CRC-16 (0x8005).
/// </summary>
internal static class MsbFirstCrc
{
    /// <summary>The 256 entries of the <paramref name="width"/>-bit CRC (8 to 32 bits) of <paramref name="polynomial"/>.</summary>
    public static uint[] Table(int width, uint polynomial)
    {
        var top = 1u << (width - 1);
        var mask = width == 32 ? uint.MaxValue : (1u << width) - 1;
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var r = i << (width - 8);
            for (var bit = 0; bit < 8; bit++)
            {
                r = (r & top) != 0 ? (r << 1) ^ polynomial : r << 1;
            }

            table[i] = r & mask;
        }

        return table;
    }
}
