namespace VoiceBridge.Fuzzing;

/// <summary>
/// Feeds one input to a parser. It returns normally both when the parser accepts the input and when
/// it rejects it the way it documents (a status, an error result, or its own documented exception,
/// which the delegate catches); anything that escapes is a crash.
/// </summary>
public delegate void FuzzParse(ReadOnlySpan<byte> input);

/// <summary>
/// One parser under fuzzing: valid inputs to mutate (built in code from real messages), tokens worth
/// splicing in (field names, separators), and the most a single input may allocate. The limit is an
/// amplification bound: inputs are capped at <see cref="MaxInputBytes"/>, so a parser that allocates
/// more than <see cref="MaxAllocatedBytes"/> for one has let a field or count of the input drive its
/// memory.
/// </summary>
public sealed record FuzzTarget(string Name, string Description, IReadOnlyList<byte[]> Seeds, FuzzParse Parse)
{
    /// <summary>Default per-input allocation limit: 1 MiB.</summary>
    public const long DefaultMaxAllocatedBytes = 1 << 20;

    /// <summary>Default largest mutated input: past every datagram limit (64 KiB) so those limits are exercised.</summary>
    public const int DefaultMaxInputBytes = 96 * 1024;

    /// <summary>Tokens the mutator inserts or overwrites with (header names, JSON keys, separators).</summary>
    public IReadOnlyList<byte[]> Dictionary { get; init; } = [];

    public long MaxAllocatedBytes { get; init; } = DefaultMaxAllocatedBytes;

    public int MaxInputBytes { get; init; } = DefaultMaxInputBytes;

    /// <summary>A parse slower than this is a hang; null takes the run's <see cref="FuzzRunOptions.HangAfter"/>.</summary>
    public TimeSpan? HangAfter { get; init; }
}
