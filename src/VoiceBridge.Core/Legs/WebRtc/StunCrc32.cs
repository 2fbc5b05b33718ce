namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// CRC-32 as FINGERPRINT uses it (ISO-HDLC: reflected polynomial 0xEDB88320, initial and final
/// XOR 0xFFFFFFFF, the zlib/PNG CRC). The BCL has none without an extra package, and a table
/// of 256 entries is all it takes.
/// </summary>
internal static class StunCrc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFF;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
