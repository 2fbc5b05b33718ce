using System.Globalization;
using System.Text;

namespace VoiceBridge.Fuzzing;

/// <summary>
/// Runs one target over its seeds (a warm-up pass, so one-time static initialisation is not counted as
/// per-input allocation) and then over <see cref="FuzzRunOptions.Inputs"/> mutated inputs, on the calling
/// thread. Per input it measures the bytes allocated (<see cref="GC.GetAllocatedBytesForCurrentThread"/>)
/// and the time taken, and turns an escaping exception, a slow parse or an allocation over the target's
/// limit into a <see cref="FuzzFinding"/>. A parse that never returns cannot be reported from this thread:
/// a watchdog on another thread reads <see cref="Completed"/> and <see cref="CurrentInput"/> instead.
/// </summary>
public sealed class FuzzRunner
{
    private readonly FuzzTarget _target;
    private readonly FuzzRunOptions _options;
    private readonly FuzzMutator _mutator;
    private readonly List<FuzzFinding> _findings = [];
    private readonly HashSet<string> _signatures = new(StringComparer.Ordinal);
    private long _completed;
    private long _crashes;
    private long _hangs;
    private long _overAllocations;
    private long _maxAllocated;
    private int _maxAllocatingLength;

    public FuzzRunner(FuzzTarget target, FuzzRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        _target = target;
        _options = options;
        _mutator = new FuzzMutator(target.Seeds, target.Dictionary, target.MaxInputBytes);
    }

    /// <summary>Mutated inputs finished so far (read from any thread).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>A copy of the input being parsed now: what a watchdog saves when <see cref="Completed"/> stops moving.</summary>
    public byte[] CurrentInput() => _mutator.CurrentCopy();

    public FuzzReport Run()
    {
        long started = _options.Time.GetTimestamp();
        WarmUp();
        var random = new FuzzRandom(_options.Seed, _target.Name);
        for (long i = 0; i < _options.Inputs && !_options.Stop.IsCancellationRequested; i++)
        {
            RunOne(i, _mutator.Next(ref random), measure: true);
            Interlocked.Increment(ref _completed);
        }

        return new FuzzReport(
            _target.Name, _completed, _crashes, _hangs, _overAllocations, _maxAllocated, _maxAllocatingLength,
            _options.Time.GetElapsedTime(started), [.. _findings]);
    }

    /// <summary>
    /// Runs one saved input after the seeds' warm-up, as <c>fuzz --reproduce</c> does: the first finding,
    /// or null when it parses cleanly.
    /// </summary>
    public static FuzzFinding? Reproduce(FuzzTarget target, byte[] input, TimeProvider time)
    {
        var runner = new FuzzRunner(target, new FuzzRunOptions { Inputs = 0, Time = time });
        runner.WarmUp();
        runner.RunOne(0, input, measure: true);
        return runner._findings.Count > 0 ? runner._findings[^1] : null;
    }

    private void WarmUp()
    {
        for (int i = 0; i < _target.Seeds.Count; i++)
        {
            RunOne(-1 - i, _target.Seeds[i], measure: false);
        }
    }

    private void RunOne(long index, ReadOnlySpan<byte> input, bool measure)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long started = _options.Time.GetTimestamp();
        Exception? crash = null;
        try
        {
            _target.Parse(input);
        }
#pragma warning disable CA1031 // Any exception is the finding: the point of the harness is to catch what the parser did not document.
        catch (Exception e)
#pragma warning restore CA1031
        {
            crash = e;
        }

        TimeSpan elapsed = _options.Time.GetElapsedTime(started);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (crash is not null)
        {
            _crashes++;
            Report(FuzzFindingKind.Crash, index, input, crash.GetType().FullName + " at " + TopFrame(crash), crash.ToString());
        }

        TimeSpan hangAfter = _target.HangAfter ?? _options.HangAfter;
        if (elapsed > hangAfter)
        {
            elapsed = Retime(input, elapsed);
        }

        if (elapsed > hangAfter)
        {
            _hangs++;
            Report(FuzzFindingKind.Hang, index, input, "hang", string.Create(CultureInfo.InvariantCulture, $"parse took {elapsed.TotalMilliseconds:F0} ms (limit {hangAfter.TotalMilliseconds:F0} ms)"));
        }

        if (!measure)
        {
            return;
        }

        if (allocated > _maxAllocated)
        {
            _maxAllocated = allocated;
            _maxAllocatingLength = input.Length;
        }

        if (allocated > _target.MaxAllocatedBytes)
        {
            _overAllocations++;
            Report(FuzzFindingKind.OverAllocation, index, input, "allocation", string.Create(CultureInfo.InvariantCulture, $"allocated {allocated} bytes for a {input.Length}-byte input (limit {_target.MaxAllocatedBytes})"));
        }
    }

    /// <summary>
    /// The fastest of the first timing and two more: on a shared machine one slow parse may be a pause of the
    /// process, not of the parser, and only an input slow every time is a hang.
    /// </summary>
    private TimeSpan Retime(ReadOnlySpan<byte> input, TimeSpan first)
    {
        TimeSpan fastest = first;
        for (int i = 0; i < 2; i++)
        {
            long started = _options.Time.GetTimestamp();
            try
            {
                _target.Parse(input);
            }
#pragma warning disable CA1031 // Counted once already, by the first run.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            TimeSpan elapsed = _options.Time.GetElapsedTime(started);
            fastest = elapsed < fastest ? elapsed : fastest;
        }

        return fastest;
    }

    private void Report(FuzzFindingKind kind, long index, ReadOnlySpan<byte> input, string signature, string detail)
    {
        if (_findings.Count(f => f.Kind == kind) >= _options.MaxFindingsPerKind || !_signatures.Add(kind + ":" + signature))
        {
            return;
        }

        var finding = new FuzzFinding(kind, index, detail, input.ToArray());
        _findings.Add(_options.ArtifactDirectory is { } directory ? Save(directory, finding) : finding);
    }

    private FuzzFinding Save(string directory, FuzzFinding finding)
    {
        Directory.CreateDirectory(directory);
        string stem = Path.Combine(directory, string.Create(
            CultureInfo.InvariantCulture, $"{_target.Name}-{finding.Kind.ToString().ToLowerInvariant()}-seed{_options.Seed}-{finding.InputIndex}"));
        File.WriteAllBytes(stem + ".bin", finding.Input);
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"target: {_target.Name}")
            .AppendLine(CultureInfo.InvariantCulture, $"kind: {finding.Kind}")
            .AppendLine(CultureInfo.InvariantCulture, $"seed: {_options.Seed}, input {finding.InputIndex}")
            .AppendLine(CultureInfo.InvariantCulture, $"reproduce: voicebridge fuzz --target {_target.Name} --reproduce {stem}.bin")
            .AppendLine(CultureInfo.InvariantCulture, $"base64: {Convert.ToBase64String(finding.Input)}")
            .AppendLine()
            .AppendLine(finding.Detail);
        File.WriteAllText(stem + ".txt", text.ToString());
        return finding with { ArtifactPath = stem + ".bin" };
    }

    /// <summary>The frame that threw, so one bug reached by many inputs is kept once.</summary>
    private static string TopFrame(Exception e)
    {
        string? trace = e.StackTrace;
        if (trace is null)
        {
            return "?";
        }

        int end = trace.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? trace : trace[..end]).Trim();
    }
}
