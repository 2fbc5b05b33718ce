using System.Buffers.Binary;
using System.Security.Cryptography;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// AES-128 in counter mode as RFC 3711 section 4.1.1 defines it: the keystream is AES_k(IV + j) for block j, the
/// counter living in the low 16 bits of the IV (which SRTP leaves zero), XORed over the data. .NET has no CTR mode,
/// so counter blocks are encrypted with one reusable ECB transform into pre-allocated buffers: no allocation per
/// packet. Not thread-safe: one instance per sending or receiving path.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    /// <summary>RFC 3711 4.1.1: at most 2^16 blocks per IV, since the counter has 16 bits.</summary>
    public const int MaxLength = 65536 * 16;

    private const int ChunkBlocks = 32;
    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[ChunkBlocks * 16];
    private readonly byte[] _keystream = new byte[ChunkBlocks * 16];

    public AesCounterMode(ReadOnlySpan<byte> key16)
    {
        if (key16.Length != 16)
        {
            throw new ArgumentException($"an AES-128 key is 16 bytes, not {key16.Length}", nameof(key16));
        }

        _aes = Aes.Create();
        _aes.Key = key16.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream that starts at <paramref name="iv16"/> over <paramref name="data"/> (encrypts or decrypts).</summary>
    public void Apply(ReadOnlySpan<byte> iv16, Span<byte> data)
    {
        if (data.Length > MaxLength)
        {
            throw new ArgumentException($"AES-CM covers at most {MaxLength} bytes per IV, not {data.Length}", nameof(data));
        }

        int block = 0;
        while (!data.IsEmpty)
        {
            int blocks = Math.Min(ChunkBlocks, (data.Length + 15) / 16);
            for (int i = 0; i < blocks; i++)
            {
                Span<byte> counter = _counters.AsSpan(i * 16, 16);
                iv16[..16].CopyTo(counter);
                ushort low = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(counter[14..]) + block + i);
                BinaryPrimitives.WriteUInt16BigEndian(counter[14..], low);
            }

            _ecb.TransformBlock(_counters, 0, blocks * 16, _keystream, 0);
            int bytes = Math.Min(blocks * 16, data.Length);
            Xor(data[..bytes], _keystream.AsSpan(0, bytes));
            data = data[bytes..];
            block += blocks;
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
    }

    private static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(keystream[i..]);
            BinaryPrimitives.WriteUInt64LittleEndian(data[i..], value);
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }
}
