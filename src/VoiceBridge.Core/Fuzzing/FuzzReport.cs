namespace VoiceBridge.Fuzzing;

/// <summary>What went wrong with one input.</summary>
public enum FuzzFindingKind
{
    /// <summary>An exception the parser does not document escaped it.</summary>
    Crash,

    /// <summary>The parse took longer than <see cref="FuzzRunOptions.HangAfter"/>.</summary>
    Hang,

    /// <summary>The parse allocated more than the target's <see cref="FuzzTarget.MaxAllocatedBytes"/>.</summary>
    OverAllocation,
}

/// <summary>One failing input, kept (and saved, when the run has an artifact directory) to reproduce it.</summary>
/// <param name="InputIndex">Which input of the run; negative for the seeds' warm-up pass.</param>
/// <param name="Detail">The exception, the time taken or the bytes allocated.</param>
public sealed record FuzzFinding(FuzzFindingKind Kind, long InputIndex, string Detail, byte[] Input)
{
    /// <summary>The saved raw input (<c>.bin</c>, next to a <c>.txt</c> with the detail and base64), if saved.</summary>
    public string? ArtifactPath { get; init; }
}

/// <summary>The outcome of fuzzing one target.</summary>
/// <param name="MaxAllocatedBytes">The most one input allocated during its parse.</param>
/// <param name="MaxAllocatingInputBytes">The length of that input.</param>
/// <param name="Findings">The first distinct findings (one per exception type and throwing frame, a few per kind).</param>
public sealed record FuzzReport(
    string Target,
    long Inputs,
    long Crashes,
    long Hangs,
    long OverAllocations,
    long MaxAllocatedBytes,
    int MaxAllocatingInputBytes,
    TimeSpan Elapsed,
    IReadOnlyList<FuzzFinding> Findings)
{
    public bool Clean => Crashes == 0 && Hangs == 0 && OverAllocations == 0;

    public double InputsPerSecond => Elapsed > TimeSpan.Zero ? Inputs / Elapsed.TotalSeconds : 0;
}

/// <summary>How long and how a run goes.</summary>
public sealed class FuzzRunOptions
{
    /// <summary>Mutated inputs to run (the seeds' warm-up pass comes on top).</summary>
    public long Inputs { get; init; } = 10_000;

    /// <summary>Names the inputs: the same seed gives the same inputs for a target on any machine.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>A parse slower than this is a hang.</summary>
    public TimeSpan HangAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where failing inputs are saved; null keeps them only in the report.</summary>
    public string? ArtifactDirectory { get; init; }

    /// <summary>Distinct findings kept per kind (all are counted).</summary>
    public int MaxFindingsPerKind { get; init; } = 5;

    /// <summary>Ends the run before <see cref="Inputs"/> (a time budget); the report counts the inputs that ran.</summary>
    public CancellationToken Stop { get; init; }

    /// <summary>Times each parse (hang detection and inputs per second).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
