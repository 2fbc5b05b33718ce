namespace VoiceBridge.Faults;

/// <summary>
/// One replay of a suite: the faults injected together into one call (none: a call without
/// faults), and the matrix file's line it came from (0 for a built-in matrix or <c>--fault</c>).
/// </summary>
public sealed record FaultRun(IReadOnlyList<FaultSpec> Faults, int Line = 0)
{
    /// <summary>A run without faults.</summary>
    public static FaultRun None { get; } = new([]);

    /// <summary>The specs as a matrix file spells the run: separated by spaces, or <c>none</c>.</summary>
    public override string ToString() => Faults.Count == 0 ? "none" : string.Join(" ", Faults);
}

/// <summary>
/// A matrix read for <c>replay --faults</c>: its runs, where they came from (a built-in name or a
/// file), or the first problem found (<c>FILE:LINE: what is wrong</c>), in which case there are no runs.
/// </summary>
public sealed record FaultMatrixParse(string Source, IReadOnlyList<FaultRun> Runs, string? Error)
{
    public bool Ok => Error is null;

    public static FaultMatrixParse Failed(string source, string error) => new(source, [], error);
}

/// <summary>
/// <c>replay --faults MATRIX</c>: a built-in matrix (<see cref="FaultMatrix.Names"/>; each spec is one
/// run, <c>none</c> one run without faults) or a small text file with one run per line: one or more
/// fault specs separated by white space (several on a line are injected together into one call),
/// <c>none</c> alone for a run without faults, <c>#</c> to the end of a line a comment, blank lines
/// ignored. The file is untrusted input: it is read within limits, and a bad line is an error
/// naming the file, the line and the problem, never an exception.
/// </summary>
public static class FaultMatrixFile
{
    /// <summary>Largest matrix file read (a matrix is a few hundred bytes; this is far beyond any real one).</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>Most runs a matrix may hold: each is a replay of every recording.</summary>
    public const int MaxRuns = 5000;

    /// <summary>Most faults injected together into one call.</summary>
    public const int MaxFaultsPerRun = 16;

    /// <summary>Longest fault spec taken (the longest valid one is well under this).</summary>
    public const int MaxSpecLength = 128;

    /// <summary>A built-in matrix by name, else the matrix file at <paramref name="matrix"/> (write <c>./hard</c> for a file named like a built-in).</summary>
    public static FaultMatrixParse Resolve(string matrix, string target = "primary")
    {
        if (FaultMatrix.Names.Contains(matrix, StringComparer.Ordinal))
        {
            var specs = FaultMatrix.Named(matrix, target);
            return new FaultMatrixParse(matrix, specs.Count == 0 ? [FaultRun.None] : [.. specs.Select(s => new FaultRun([s]))], null);
        }

        return Load(matrix);
    }

    /// <summary>Reads and parses the matrix file at <paramref name="path"/>.</summary>
    public static FaultMatrixParse Load(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return FaultMatrixParse.Failed(path, $"{path}: no such matrix file, and not a built-in matrix ({string.Join(", ", FaultMatrix.Names)})");
            }

            if (info.Length > MaxBytes)
            {
                return FaultMatrixParse.Failed(path, $"{path}: {info.Length} bytes; a matrix file is at most {MaxBytes} bytes");
            }

            return Parse(File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return FaultMatrixParse.Failed(path, $"{path}: cannot read the matrix file: {e.Message}");
        }
    }

    /// <summary>Parses a matrix file's text; <paramref name="source"/> names it in errors.</summary>
    public static FaultMatrixParse Parse(string text, string source)
    {
        if (text.Length > MaxBytes)
        {
            return FaultMatrixParse.Failed(source, $"{source}: {text.Length} characters; a matrix file is at most {MaxBytes}");
        }

        var runs = new List<FaultRun>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = i + 1;
            var content = lines[i];
            var hash = content.IndexOf('#', StringComparison.Ordinal);
            var tokens = (hash >= 0 ? content[..hash] : content).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0)
            {
                continue;
            }

            if (ParseLine(tokens) is { } problem)
            {
                return FaultMatrixParse.Failed(source, $"{source}:{line}: {problem}");
            }

            if (runs.Count == MaxRuns)
            {
                return FaultMatrixParse.Failed(source, $"{source}:{line}: more than {MaxRuns} runs; split the matrix");
            }

            runs.Add(tokens is ["none"] ? FaultRun.None with { Line = line } : new FaultRun([.. tokens.Select(FaultSpec.Parse)], line));
        }

        return runs.Count == 0
            ? FaultMatrixParse.Failed(source, $"{source}: no runs (one a line: fault specs such as primary:close@turn2, or none for a call without faults)")
            : new FaultMatrixParse(source, runs, null);
    }

    /// <summary>What is wrong with a line's tokens, or null when each is a fault spec (or the line is <c>none</c>).</summary>
    private static string? ParseLine(string[] tokens)
    {
        if (tokens.Contains("none", StringComparer.Ordinal))
        {
            return tokens.Length == 1 ? null : "'none' is a run without faults and stands alone on its line";
        }

        if (tokens.Length > MaxFaultsPerRun)
        {
            return $"{tokens.Length} faults on one line; at most {MaxFaultsPerRun} are injected into one call";
        }

        foreach (var token in tokens)
        {
            if (token.Length > MaxSpecLength)
            {
                return $"a fault spec of {token.Length} characters; expected TARGET:KIND[@WHEN], e.g. primary:close@turn2";
            }

            try
            {
                _ = FaultSpec.Parse(token);
            }
            catch (FormatException e)
            {
                return e.Message;
            }
        }

        var twice = tokens.GroupBy(t => FaultSpec.Parse(t).ToString(), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? null : $"fault '{twice.Key}' twice on one line";
    }
}
