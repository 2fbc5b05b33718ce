using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Media;

namespace VoiceBridge.Replay;

/// <summary>
/// <c>voicebridge replay</c>: each recording through a fresh bridge and simulated provider on
/// loopback sockets, a report, and a stereo recording per call. A bad file is reported with its
/// name and problem and the others still run. Exit codes: 0 all passed; 1 a call failed a check;
/// 2 bad input; 3 an internal error or an accounting disagreement (3 before 1 before 2). An audit
/// store that cannot be opened is an <see cref="AuditStoreException"/> before any call runs.
/// </summary>
public sealed class ReplayRunner(ReplayRunOptions options, ILoggerFactory loggers, TextWriter output)
{
    public async Task<int> RunAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var files = ReplayInputs.Expand(inputs, options.RawMuLaw);
        if (files.Count == 0)
        {
            output.WriteLine("replay: no recordings found in " + string.Join(", ", inputs));
            return 2;
        }

        Directory.CreateDirectory(options.OutDir);
        await using var audit = options.Audit is { } store ? await store.OpenAsync(loggers, cancellationToken) : null;
        var calls = new ReplayCallReport[files.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, files.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                calls[i] = await RunOneAsync(files[i], audit, ct);
                lock (output)
                {
                    output.WriteLine(Describe(calls[i]));
                }
            });

        var report = new ReplayReport(1, calls, Summarize(calls));
        var reportPath = options.EffectiveReportPath;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
        await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(report, ReplayReport.Json), cancellationToken);
        var s = report.Summary;
        output.WriteLine($"{s.Calls} calls: {s.Passed} passed, {s.Failed} failed, {s.BadInput} bad input, {s.InternalErrors} internal errors; first-audio latency p50 {s.FirstAudioLatencyP50Ms?.ToString() ?? "-"} ms, max {s.FirstAudioLatencyMaxMs?.ToString() ?? "-"} ms");
        output.WriteLine($"report: {Path.GetFullPath(reportPath)}");
        output.WriteLine($"audio:  {Path.GetFullPath(options.OutDir)} (caller left, agent right)");
        if (audit is not null)
        {
            output.WriteLine($"audit:  {audit.Location}");
        }

        return s.ExitCode;
    }

    private async Task<ReplayCallReport> RunOneAsync(string file, IAuditLog? audit, CancellationToken cancellationToken)
    {
        CallerRecording recording;
        try
        {
            recording = options.RawMuLaw ? WavLoader.LoadRawMuLaw(file) : WavLoader.Load(file, options.Channel);
        }
        catch (AudioFormatException e)
        {
            return new ReplayCallReport { File = file, Status = CallStatus.BadInput, Errors = [e.Message] };
        }

        var expected = ReplayInputs.Sidecar(file);
        try
        {
            var callOptions = options.CallOptions();
            callOptions.AuditLog = audit ?? callOptions.AuditLog;
            await using var env = await ReplayEnvironment.StartLoopbackAsync(options.Chain, options.Simulator(), callOptions, loggers, options.Faults, options.Leg);
            var callerOptions = new FakeCallerOptions { Pacing = options.Pacing, Impairments = options.Impairments };
            var result = await ReplayCall.RunAsync(env, recording, expected, callerOptions, TimeProvider.System, cancellationToken);
            var wav = Path.Combine(options.OutDir, Path.GetFileNameWithoutExtension(file) + ".call.wav");
            CallRecordingWriter.WriteStereo(wav, result.Observed.CallerTrack, result.Observed.AgentTrack);
            return ReplayCall.Evaluate(file, result, expected, env.Bridge.Engines.Describe(), Path.GetFullPath(wav), oneClock: false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ReplayCallReport { File = file, Status = CallStatus.InternalError, Errors = [$"internal error: {e}"] };
        }
    }

    private static string Describe(ReplayCallReport call)
    {
        var status = call.Status switch
        {
            CallStatus.Passed => "PASS",
            CallStatus.Failed => "FAIL",
            CallStatus.BadInput => "BAD INPUT",
            _ => "INTERNAL ERROR",
        };
        var detail = call.Status switch
        {
            CallStatus.Passed or CallStatus.Failed =>
                $"{call.Turns.Count(t => t.Role == "user")} user turns, {call.Turns.Count(t => t.Role == "assistant")} replies, latency {string.Join("/", call.Turns.Where(t => t.FirstAudioLatencyMs is not null).Select(t => t.FirstAudioLatencyMs))} ms"
                + (call.Media is { } media ? $"\n    RTP: {media.PacketsReceived} packets in, {media.PacketsSent} out; jitter buffer target {media.JitterTargetDelayMs} ms, concealed {media.ConcealedMs} ms, late {media.LatePackets}, discarded {media.DiscardedPackets}" : "")
                + string.Concat(call.Switches.Select(sw => $"\n    switch {sw.From} -> {sw.To} ({sw.Reason}): fault {sw.FaultAtMs?.ToString() ?? "-"} ms, detected {sw.DetectedAtMs} ms, handoff {sw.HandoffMs?.ToString() ?? "-"} ms, dead air {sw.DeadAirMs?.ToString() ?? "-"} ms, lost {sw.LostCallerAudioMs} ms, replayed {sw.ReplayedCallerAudioMs} ms"))
                + string.Concat(call.Failures.Select(f => "\n    - " + f)),
            _ => string.Join("; ", call.Errors),
        };
        return $"{status,-9} {call.File}: {detail}";
    }

    private static ReplaySummary Summarize(IReadOnlyList<ReplayCallReport> calls)
    {
        int Count(CallStatus s) => calls.Count(c => c.Status == s);
        var latencies = calls.SelectMany(c => c.Turns).Select(t => t.FirstAudioLatencyMs).OfType<long>().Order().ToList();
        var exit = Count(CallStatus.InternalError) > 0 ? 3 : Count(CallStatus.Failed) > 0 ? 1 : Count(CallStatus.BadInput) > 0 ? 2 : 0;
        return new ReplaySummary(
            calls.Count,
            Count(CallStatus.Passed),
            Count(CallStatus.Failed),
            Count(CallStatus.BadInput),
            Count(CallStatus.InternalError),
            latencies.Count == 0 ? null : latencies[(latencies.Count - 1) / 2],
            latencies.Count == 0 ? null : latencies[^1],
            exit);
    }
}
