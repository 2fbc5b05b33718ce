using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>
/// The virtual clock (<c>--clock virtual</c>): each call exactly as the tests run it, its bridge,
/// simulated providers and fake caller over in-memory transport inside a <see cref="VirtualTimeLoop"/>
/// on a <see cref="FakeTimeProvider"/> of its own. A loop is single-threaded and runs its call to
/// the end synchronously, so parallel calls each get a thread of their own, not the thread pool's.
/// </summary>
public sealed partial class ReplayRunner
{
    /// <summary>How far a virtual call's clock moves each time its loop is idle: the tests' step.</summary>
    private static readonly TimeSpan VirtualStep = TimeSpan.FromMilliseconds(5);

    /// <summary>Virtual time a call may take beyond three times its recording (waits for replies, handoffs) before it counts as hung.</summary>
    private static readonly TimeSpan VirtualSlack = TimeSpan.FromMinutes(3);

    /// <summary>Runs every job on up to <see cref="ReplayRunOptions.Parallelism"/> dedicated threads; cancellation stops them between calls.</summary>
    private async Task RunVirtualAsync(IReadOnlyList<ReplayJob> jobs, Action<ReplayJob> run, CancellationToken cancellationToken)
    {
        var next = -1;
        void Work()
        {
            int i;
            while (!cancellationToken.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < jobs.Count)
            {
                run(jobs[i]);
            }
        }

        var workers = Enumerable.Range(0, Math.Clamp(options.Parallelism, 1, jobs.Count))
            .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToList();
        await Task.WhenAll(workers);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private ReplaySuiteCall RunVirtual(ReplayJob job, Recordings recordings, IAuditLog? audit, FailoverOptions thresholds)
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
                // Whole seconds of the wall clock: audit entries carry the day of the run, and the
                // call sees the same sub-second alignment as the tests' clocks.
                var now = TimeProvider.System.GetUtcNow();
                var time = new FakeTimeProvider(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
                var limit = VirtualSlack + (3 * TimeSpan.FromMilliseconds(recording.Samples.Length * 1000L / CallClock.SampleRate));
                var (result, chain) = VirtualTimeLoop.Run(time, VirtualStep, limit, async () =>
                {
                    var callOptions = options.CallOptions();
                    callOptions.AuditLog = audit ?? callOptions.AuditLog;
                    await using var env = ReplayEnvironment.CreateVirtual(options.Chain, options.Simulator(), callOptions, time, loggers, job.Run.Faults, options.Health, options.Leg, options.Realtime);
                    var call = await ReplayCall.RunAsync(env, recording, input.Expected, CallerOptions(job), time, CancellationToken.None);
                    return (call, env.Bridge.Engines.Describe());
                });
                report = Evaluate(job, result, input.Expected, chain, oneClock: true) with { Channel = ChannelOf(recording) };
            }
            catch (Exception e)
            {
                report = new ReplayCallReport { File = job.File, Status = CallStatus.InternalError, Errors = [$"internal error: {e}"] };
            }
        }

        recordings.Release(job.File);
        return Finish(job, report, input.Expected, thresholds);
    }

    /// <summary>A recording loaded (or its problem) and its manifest.</summary>
    /// <summary>Which channel of a multi-channel recording was the caller, and why (<see cref="CallerRecording.ChannelChoice"/>); null for mono.</summary>
    private static string? ChannelOf(CallerRecording recording) => recording.SourceChannels > 1 ? recording.ChannelChoice : null;

    private sealed record LoadedRecording(CallerRecording? Recording, string? Error, IReadOnlyList<string>? Expected);

    /// <summary>
    /// Each recording is loaded once for all its runs, and let go when its last run has taken it:
    /// a folder replayed against a matrix holds only the recordings of calls in progress.
    /// </summary>
    private sealed class Recordings(ReplayRunOptions options, IReadOnlyList<ReplayJob> jobs)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, (Lazy<LoadedRecording>? Loaded, int Left)> _entries =
            jobs.GroupBy(j => j.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => ((Lazy<LoadedRecording>?)null, g.Count()), StringComparer.Ordinal);

        public LoadedRecording Take(string file)
        {
            Lazy<LoadedRecording> loaded;
            lock (_gate)
            {
                var entry = _entries[file];
                loaded = entry.Loaded ?? new Lazy<LoadedRecording>(() => Load(file));
                _entries[file] = (loaded, entry.Left);
            }

            return loaded.Value;
        }

        public void Release(string file)
        {
            lock (_gate)
            {
                var (loaded, left) = _entries[file];
                _entries[file] = left <= 1 ? (null, 0) : (loaded, left - 1);
            }
        }

        private LoadedRecording Load(string file)
        {
            try
            {
                var recording = options.RawMuLaw ? WavLoader.LoadRawMuLaw(file) : WavLoader.Load(file, options.Channel);
                return new LoadedRecording(recording, null, ReplayInputs.Sidecar(file));
            }
            catch (AudioFormatException e)
            {
                return new LoadedRecording(null, e.Message, null);
            }
        }
    }
}
