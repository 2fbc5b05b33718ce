using System.Buffers.Binary;
using System.Text;

namespace VoiceBridge.Fuzzing;

/// <summary>
/// Makes the next input: a random seed, then one to five stacked mutations (bit flips, boundary bytes,
/// inserted, deleted or repeated chunks, a splice with another seed, truncation, length fields set to
/// huge values, numbers in text swapped for edge numbers, JSON tokens swapped, dictionary tokens).
/// No coverage feedback: breadth comes from the seeds being real messages. The input lives in one
/// reused buffer of the target's maximum size, so making it allocates nothing.
/// </summary>
internal sealed partial class FuzzMutator
{
    private const int MutationKinds = 11;

    private static readonly byte[] Boundaries =
        [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, (byte)'0', (byte)'9', (byte)' ', (byte)'\r', (byte)'\n', (byte)'\t', (byte)'"',
         (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)',', (byte)'<', (byte)'>', (byte)';', (byte)'=',
         (byte)'%', (byte)'/', (byte)'@', (byte)'.', (byte)'-', 0xC0, 0xED, 0xF4];

    private static readonly byte[][] EdgeNumbers = Utf8(
        "0", "-1", "-0", "1.5", "65535", "65536", "2147483647", "2147483648", "4294967296", "-2147483649",
        "9223372036854775808", "99999999999999999999999999", "1e309", "-1e309", "1e-400", "NaN", "0x10", "00000000001");

    private static readonly uint[] EdgeLengths = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];

    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly IReadOnlyList<byte[]> _dictionary;
    private readonly byte[] _buffer;
    private readonly byte[] _scratch;
    private readonly byte[] _token;
    private int _length;

    public FuzzMutator(IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> dictionary, int maxInputBytes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(seeds.Count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxInputBytes);
        _seeds = seeds;
        _dictionary = [.. dictionary, .. JsonTokens];
        _buffer = new byte[maxInputBytes];
        _scratch = new byte[maxInputBytes];
        _token = new byte[maxInputBytes];
    }

    /// <summary>The next input; valid until the next call.</summary>
    public ReadOnlySpan<byte> Next(ref FuzzRandom random)
    {
        Load(random.Pick(_seeds));
        int mutations = random.Between(1, 5);
        for (int i = 0; i < mutations; i++)
        {
            Mutate(ref random, random.Next(MutationKinds));
        }

        return _buffer.AsSpan(0, _length);
    }

    /// <summary>A copy of the current input, for a watchdog on another thread.</summary>
    public byte[] CurrentCopy() => _buffer.AsSpan(0, Math.Min(Volatile.Read(ref _length), _buffer.Length)).ToArray();

    private void Load(byte[] seed)
    {
        _length = Math.Min(seed.Length, _buffer.Length);
        seed.AsSpan(0, _length).CopyTo(_buffer);
    }

    private void Mutate(ref FuzzRandom random, int kind)
    {
        switch (kind)
        {
            case 0: FlipBits(ref random); break;
            case 1: SetBoundary(ref random); break;
            case 2: InsertRandom(ref random); break;
            case 3: DeleteChunk(ref random); break;
            case 4: RepeatChunk(ref random); break;
            case 5: Splice(ref random); break;
            case 6: _length = random.Next(_length + 1); break;
            case 7: SetLengthField(ref random); break;
            case 8: SwapNumber(ref random); break;
            case 9: SwapJsonToken(ref random); break;
            default: InsertToken(ref random, random.Pick(_dictionary), overwrite: random.OneIn(2)); break;
        }
    }

    private void FlipBits(ref FuzzRandom random)
    {
        for (int n = random.Between(1, 4); n > 0 && _length > 0; n--)
        {
            _buffer[random.Next(_length)] ^= (byte)(1 << random.Next(8));
        }
    }

    private void SetBoundary(ref FuzzRandom random)
    {
        if (_length > 0)
        {
            _buffer[random.Next(_length)] = Boundaries[random.Next(Boundaries.Length)];
        }
    }

    private void InsertRandom(ref FuzzRandom random)
    {
        Span<byte> bytes = stackalloc byte[random.Between(1, 32)];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = random.OneIn(2) ? Boundaries[random.Next(Boundaries.Length)] : (byte)random.Next(256);
        }

        Insert(random.Next(_length + 1), bytes);
    }

    private void DeleteChunk(ref FuzzRandom random)
    {
        if (_length == 0)
        {
            return;
        }

        int start = random.Next(_length);
        int count = random.OneIn(8) ? random.Between(1, _length - start) : random.Between(1, Math.Min(16, _length - start));
        _buffer.AsSpan(start + count, _length - start - count).CopyTo(_buffer.AsSpan(start));
        _length -= count;
    }

    /// <summary>Repeats a chunk up to thousands of times: what finds missing header, attribute and nesting limits.</summary>
    private void RepeatChunk(ref FuzzRandom random)
    {
        if (_length == 0)
        {
            return;
        }

        int start = random.Next(_length);
        int count = random.Between(1, Math.Min(random.OneIn(4) ? 512 : 64, _length - start));
        int times = random.OneIn(8) ? random.Between(100, 5000) : random.Between(1, 16);
        _buffer.AsSpan(start, count).CopyTo(_scratch);
        int at = start + count;
        for (int i = 0; i < times && _length < _buffer.Length; i++)
        {
            at += Insert(at, _scratch.AsSpan(0, count));
        }
    }

    private void Splice(ref FuzzRandom random)
    {
        byte[] other = random.Pick(_seeds);
        int keep = random.Next(_length + 1);
        int from = random.Next(other.Length + 1);
        int take = Math.Min(other.Length - from, _buffer.Length - keep);
        other.AsSpan(from, take).CopyTo(_buffer.AsSpan(keep));
        _length = keep + take;
    }

    private void SetLengthField(ref FuzzRandom random)
    {
        uint value = random.OneIn(4) ? (uint)(_length + random.Between(-4, 4)) : EdgeLengths[random.Next(EdgeLengths.Length)];
        int width = random.OneIn(2) ? 2 : 4;
        if (_length < width)
        {
            return;
        }

        Span<byte> at = _buffer.AsSpan(random.Next(_length - width + 1), width);
        if (width == 2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(at, (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(at, value);
        }
    }

    /// <summary>Replaces the run of digits nearest a random point with an edge number (a text length field, a port, a count).</summary>
    private void SwapNumber(ref FuzzRandom random)
    {
        if (_length == 0)
        {
            return;
        }

        int start = random.Next(_length);
        ReadOnlySpan<byte> rest = _buffer.AsSpan(start, _length - start);
        int digit = rest.IndexOfAnyInRange((byte)'0', (byte)'9');
        if (digit < 0)
        {
            return;
        }

        start += digit;
        int end = start;
        while (end < _length && _buffer[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }

        Replace(start, end - start, EdgeNumbers[random.Next(EdgeNumbers.Length)]);
    }

    private void InsertToken(ref FuzzRandom random, byte[] token, bool overwrite)
    {
        int at = random.Next(_length + 1);
        if (overwrite)
        {
            Replace(at, Math.Min(token.Length, _length - at), token);
        }
        else
        {
            Insert(at, token);
        }
    }

    /// <summary>Inserts what fits; returns how many bytes went in.</summary>
    private int Insert(int at, ReadOnlySpan<byte> bytes)
    {
        int count = Math.Min(bytes.Length, _buffer.Length - _length);
        _buffer.AsSpan(at, _length - at).CopyTo(_buffer.AsSpan(at + count));
        bytes[..count].CopyTo(_buffer.AsSpan(at));
        _length += count;
        return count;
    }

    private void Replace(int start, int count, ReadOnlySpan<byte> with)
    {
        _buffer.AsSpan(start + count, _length - start - count).CopyTo(_scratch);
        int tail = _length - start - count;
        int written = Math.Min(with.Length, _buffer.Length - start);
        with[..written].CopyTo(_buffer.AsSpan(start));
        int kept = Math.Min(tail, _buffer.Length - start - written);
        _scratch.AsSpan(0, kept).CopyTo(_buffer.AsSpan(start + written));
        _length = start + written + kept;
    }

    private static byte[][] Utf8(params string[] texts) => [.. texts.Select(Encoding.UTF8.GetBytes)];
}
