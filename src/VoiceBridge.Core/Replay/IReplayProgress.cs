using VoiceBridge.Faults;

namespace VoiceBridge.Replay;

/// <summary>One replay of a run: a recording with one run of the matrix (<see cref="Index"/>: its place in the report).</summary>
public sealed record ReplayJob(int Index, string File, FaultRun Run);

/// <summary>
/// A replayed call as a suite sees it: its job, its report entry, and what its faults were
/// expected to do (null when the call was not judged: no faults outside a suite, or bad input).
/// </summary>
public sealed record ReplaySuiteCall(ReplayJob Job, ReplayCallReport Report, RunExpectation? Expected)
{
    /// <summary>Whether the switches matched <see cref="Expected"/>; null when not judged.</summary>
    public bool? Matched { get; init; }
}

/// <summary>
/// What <see cref="ReplayRunner"/> tells while it runs, so that a front end can show it (the CLI
/// draws a live progress bar on a terminal; <see cref="PlainReplayProgress"/> writes a line per
/// call). Calls may run in parallel: <see cref="CallStarted"/> and <see cref="CallFinished"/> come
/// from several threads at once.
/// </summary>
public interface IReplayProgress
{
    /// <summary>Before the first call: every replay the run will make.</summary>
    void Starting(IReadOnlyList<ReplayJob> jobs, ReplayClock clock);

    void CallStarted(ReplayJob job);

    void CallFinished(ReplaySuiteCall call);

    /// <summary>Once every call has ended and the report is written.</summary>
    void Finished(ReplayReport report, IReadOnlyList<ReplaySuiteCall> calls);
}

/// <summary>Plain text: one line per call as it ends (CI, redirected output), and the summary table at the end.</summary>
public sealed class PlainReplayProgress(TextWriter output) : IReplayProgress
{
    private readonly Lock _gate = new();

    public void Starting(IReadOnlyList<ReplayJob> jobs, ReplayClock clock)
    {
    }

    public void CallStarted(ReplayJob job)
    {
    }

    public void CallFinished(ReplaySuiteCall call)
    {
        lock (_gate)
        {
            output.WriteLine(ReplaySuiteTable.Describe(call.Report));
        }
    }

    public void Finished(ReplayReport report, IReadOnlyList<ReplaySuiteCall> calls)
    {
        output.WriteLine();
        ReplaySuiteTable.WritePlain(output, calls);
    }
}
