using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Media;
using VoiceBridge.Replay.Html;

namespace VoiceBridge.Replay;

/// <summary>
/// <c>voicebridge replay</c>: each recording, once per run of the fault matrix (one run without a
/// matrix), through a fresh bridge and simulated providers, on loopback sockets in real time or
/// in memory on a fake clock (<see cref="ReplayClock"/>); a report, and a stereo recording per call.
/// A bad file is reported with its name and problem and the others still run. Exit codes: 0 all
/// passed; 1 a call failed a check (its faults' expected switch among them); 2 bad input; 3 an
/// internal error or an accounting disagreement (3 before 1 before 2). An audit store that cannot
/// be opened is an <see cref="AuditStoreException"/> before any call runs; a report or out-dir that
/// cannot be written is exit 2 before any call runs (<see cref="ReplayOutputs"/>). Ctrl-C writes the
/// report of the calls that finished, lists the others as interrupted, and exits 130.
/// </summary>
public sealed partial class ReplayRunner(ReplayRunOptions options, ILoggerFactory loggers, TextWriter output)
{
    /// <summary>
    /// In a call with faults the fake caller waits for this much agent silence before it speaks
    /// again, as the matrix tests do: longer than the audio stall [1000 ms], so a stalled reply is
    /// caught before the caller talks over it (with the default 800 ms the caller's next turn
    /// races the stall timer, and a race the harness made is no finding about the bridge).
    /// </summary>
    public static readonly TimeSpan FaultCallerPatience = TimeSpan.FromMilliseconds(1200);

    /// <summary>The exit code of a run stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it.</summary>
    public const int InterruptedExitCode = 130;

    private readonly IReplayProgress _progress = options.Progress ?? new PlainReplayProgress(output);
    private ReplaySuiteCall?[] _calls = [];
    private volatile bool _stopped;
    private IReadOnlyDictionary<string, string> _stems = new Dictionary<string, string>();

    public async Task<int> RunAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        if (ReplayOutputs.Problem(options) is { } unwritable)
        {
            output.WriteLine(unwritable);
            return 2;
        }

        var files = ReplayInputs.Expand(inputs, options.RawMuLaw, output.WriteLine);
        if (files.Count == 0)
        {
            output.WriteLine("replay: no recordings found in " + string.Join(", ", inputs));
            return 2;
        }

        _stems = ReplayInputs.OutputStems(files);
        var runs = options.Runs;
        var jobs = files.SelectMany((file, f) => runs.Select((run, r) => new ReplayJob((f * runs.Count) + r, file, run))).ToList();
        await using var audit = options.Audit is { } store ? await store.OpenAsync(loggers, cancellationToken) : null;
        var thresholds = options.CallOptions().Failover;
        var recordings = new Recordings(options, jobs);
        _calls = new ReplaySuiteCall?[jobs.Count];
        _progress.Starting(jobs, options.Clock);
        var interrupted = false;
        try
        {
            await RunJobsAsync(jobs, recordings, audit, thresholds, cancellationToken).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        // Ctrl-C: the calls that finished are the report; calls still running are let go (a real
        // call's cancellation ends it, a virtual one runs on its own thread until the process ends).
        _stopped = true;
        var finished = _calls.ToArray();
        var calls = finished.OfType<ReplaySuiteCall>().ToList();
        var reports = calls.Select(c => c.Report).ToList();
        var summary = ReplaySummary.Of(reports, options.Clock == ReplayClock.Virtual ? "virtual" : "real");
        var report = interrupted
            ? new ReplayReport(1, reports, summary with { ExitCode = InterruptedExitCode, Interrupted = jobs.Count - calls.Count })
            {
                Interrupted = [.. jobs.Where(j => finished[j.Index] is null).Select(j => new InterruptedRun(j.File, [.. j.Run.Faults.Select(f => f.ToString())]))],
            }
            : new ReplayReport(1, reports, summary);
        var reportPath = options.EffectiveReportPath;
        await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(report, ReplayReport.Json), CancellationToken.None);
        // The page beside the JSON (report.json: report.html), never over it.
        var htmlPath = Path.GetExtension(reportPath).Equals(".html", StringComparison.OrdinalIgnoreCase) ? reportPath + ".html" : Path.ChangeExtension(reportPath, ".html");
        ReplayHtmlReport.Write(report, htmlPath);
        _progress.Finished(report, calls);
        WriteTotals(report.Summary, reportPath, htmlPath, audit);
        return report.Summary.ExitCode;
    }

    private async Task RunJobsAsync(IReadOnlyList<ReplayJob> jobs, Recordings recordings, QueuedAuditLog? audit, FailoverOptions thresholds, CancellationToken cancellationToken)
    {
        if (options.Clock == ReplayClock.Virtual)
        {
            await RunVirtualAsync(jobs, job => RunVirtual(job, recordings, audit, thresholds), cancellationToken);
            return;
        }

        if (options.WarmUp)
        {
            var warm = CallPathWarmUp.Run(options.Chain);
            output.WriteLine(warm.Completed
                ? $"replay: warm-up call ({warm.Switches} switch) in {warm.Elapsed.TotalSeconds:0.0} s"
                : $"replay: warm-up call failed ({warm.Error}); the first call compiles the call path");
        }

        await Parallel.ForEachAsync(
            jobs,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken },
            async (job, ct) => await RunRealAsync(job, recordings, audit, thresholds, ct));
    }

    private void WriteTotals(ReplaySummary s, string reportPath, string htmlPath, QueuedAuditLog? audit)
    {
        output.WriteLine($"{s.Calls} calls: {s.Passed} passed, {s.Failed} failed, {s.BadInput} bad input, {s.InternalErrors} internal errors; first-audio latency p50 {Ms(s.FirstAudioLatencyP50Ms)} ms, max {Ms(s.FirstAudioLatencyMaxMs)} ms");
        if (s.Interrupted is { } left)
        {
            output.WriteLine($"INTERRUPTED: {left} of {s.Calls + left} calls did not finish (the report lists them under interrupted); the totals are the finished calls'");
        }

        if (s.Switches > 0)
        {
            output.WriteLine($"{s.Switches} switches: handoff {Distribution(s.HandoffMs)}; dead air {Distribution(s.DeadAirMs)}; detection {Distribution(s.DetectionMs)}; signalled faults' detection {Distribution(s.SignalledDetectionMs)}");
        }

        output.WriteLine($"report: {Path.GetFullPath(reportPath)}");
        output.WriteLine($"html:   {Path.GetFullPath(htmlPath)}");
        output.WriteLine($"audio:  {Path.GetFullPath(options.OutDir)} (caller left, agent right)");
        if (audit is not null)
        {
            output.WriteLine($"audit:  {audit.Location}");
        }
    }

    private async Task<ReplaySuiteCall> RunRealAsync(ReplayJob job, Recordings recordings, IAuditLog? audit, FailoverOptions thresholds, CancellationToken cancellationToken)
    {
        _progress.CallStarted(job);
        var input = recordings.Take(job.File);
        ReplayCallReport report;
        if (input.Recording is not { } recording)
        {
            report = new ReplayCallReport { File = job.File, Status = CallStatus.BadInput, Errors = [input.Error!] };
        }
        else
        {
            try
            {
                var callOptions = options.CallOptions();
                callOptions.AuditLog = audit ?? callOptions.AuditLog;
                await using var env = await ReplayEnvironment.StartLoopbackAsync(options.Chain, options.Simulator(), callOptions, loggers, job.Run.Faults, options.Leg, options.Health, options.Realtime);
                var result = await ReplayCall.RunAsync(env, recording, input.Expected, CallerOptions(job), TimeProvider.System, cancellationToken);
                report = Evaluate(job, result, input.Expected, env.Bridge.Engines.Describe(), oneClock: false) with { Channel = ChannelOf(recording) };
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                report = new ReplayCallReport { File = job.File, Status = CallStatus.InternalError, Errors = [$"internal error: {e}"] };
            }
        }

        recordings.Release(job.File);
        return Finish(job, report, input.Expected, thresholds);
    }

    /// <summary>Writes the call's stereo recording and checks it (<see cref="ReplayCall.Evaluate"/>).</summary>
    private ReplayCallReport Evaluate(ReplayJob job, ReplayCallResult result, IReadOnlyList<string>? expected, IReadOnlyList<string> chain, bool oneClock)
    {
        var wav = Path.Combine(options.OutDir, RecordingName(job));
        CallRecordingWriter.WriteStereo(wav, result.Observed.CallerTrack, result.Observed.AgentTrack);
        return ReplayCall.Evaluate(job.File, result, expected, chain, Path.GetFullPath(wav), oneClock);
    }

    /// <summary>
    /// The call's report with its faults, judged against what they should do when the run is a
    /// suite or carries faults: a mismatch is a failure (exit code 1).
    /// </summary>
    private ReplaySuiteCall Finish(ReplayJob job, ReplayCallReport report, IReadOnlyList<string>? expected, FailoverOptions thresholds)
    {
        report = report with { Faults = [.. job.Run.Faults.Select(f => f.ToString())] };
        var evaluated = report.Status is CallStatus.Passed or CallStatus.Failed || report.Turns.Count > 0;
        ReplaySuiteCall call;
        if (!evaluated || (options.Matrix is null && job.Run.Faults.Count == 0))
        {
            call = new ReplaySuiteCall(job, report, null);
        }
        else
        {
            var expectation = RunExpectation.For(job.Run, options.Chain, expected?.Count, thresholds);
            var mismatches = expectation.Check(report.Switches);
            report = report with
            {
                Status = mismatches.Count > 0 && report.Status == CallStatus.Passed ? CallStatus.Failed : report.Status,
                Failures = [.. report.Failures, .. mismatches],
            };
            call = new ReplaySuiteCall(job, report, expectation) { Matched = mismatches.Count == 0 };
        }

        if (!_stopped)
        {
            _calls[job.Index] = call;
            _progress.CallFinished(call);
        }

        return call;
    }

    private FakeCallerOptions CallerOptions(ReplayJob job)
    {
        var caller = new FakeCallerOptions { Pacing = options.Pacing, Impairments = options.Impairments };
        if (job.Run.Faults.Count > 0)
        {
            caller.ReplyIdle = FaultCallerPatience;
        }

        return caller;
    }

    /// <summary>
    /// <c>NAME.call.wav</c> for a run of one; with a matrix, <c>NAME.NN-FAULTS.call.wav</c> (NN the
    /// run's place in the matrix, FAULTS its specs with every character a file name might not take as
    /// <c>-</c>). NAME is the file's <see cref="ReplayInputs.OutputStems"/>: no two files share one.
    /// </summary>
    private string RecordingName(ReplayJob job)
    {
        var name = _stems[job.File];
        var runs = options.Runs.Count;
        if (runs == 1)
        {
            return name + ".call.wav";
        }

        var place = ((job.Index % runs) + 1).ToString("D" + runs.ToString(CultureInfo.InvariantCulture).Length.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var faults = new string([.. job.Run.ToString().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' ? c : c == ' ' ? '_' : '-')]);
        return $"{name}.{place}-{faults[..Math.Min(faults.Length, 96)]}.call.wav";
    }

    private static string Ms(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Distribution(FigureDistribution? d) =>
        d is null ? "-" : $"p50 {d.P50} ms, p95 {d.P95} ms, max {d.Max} ms (n={d.Count})";
}
