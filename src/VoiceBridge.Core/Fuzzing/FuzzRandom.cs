namespace VoiceBridge.Fuzzing;

/// <summary>
/// xorshift64* : the fuzzer's only source of randomness, so a seed names the same inputs on every
/// runtime and machine (System.Random's seeded sequence is not promised across .NET versions).
/// </summary>
internal struct FuzzRandom
{
    private ulong _state;

    public FuzzRandom(ulong seed, string stream)
    {
        // FNV-1a of the stream name, so one target's inputs do not depend on which targets ran before it.
        ulong hash = 14695981039346656037UL;
        foreach (char c in stream)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        _state = (seed ^ hash) | 1;
    }

    public ulong NextUInt64()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 2685821657736338717UL;
    }

    /// <summary>A number in [0, <paramref name="max"/>); 0 when max is 0 or less.</summary>
    public int Next(int max) => max <= 0 ? 0 : (int)(NextUInt64() % (ulong)max);

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    /// <summary>True once in <paramref name="n"/> times.</summary>
    public bool OneIn(int n) => Next(n) == 0;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
