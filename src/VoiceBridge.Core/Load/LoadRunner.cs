using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Load;

/// <summary>
/// Runs a load curve: for each step, N calls against a running bridge for S seconds, paced by one
/// shared 20 ms clock, with the bridge process sampled in the steady part of the step; then the
/// simulator's hop-in figures. Each step ends its calls before the next begins.
/// </summary>
public sealed partial class LoadRunner(LoadOptions options, IWebSocketConnector connector, IDatagramNetwork udp, HttpClient http, TimeProvider time, ILogger logger)
{
    /// <summary>Calls connected at once while a step opens its calls.</summary>
    private const int ConnectBatch = 25;

    /// <summary>
    /// SIP calls are opened (and ended) this many each half second, 20 a second: each is an INVITE and
    /// an ACK, so 40 requests a second, under serve's default per-source limit (--sip-rate 50).
    /// </summary>
    private const int SipConnectBatch = 10;

    /// <summary>Frames a late tick may catch up.</summary>
    private const int MaxCatchUpFrames = 5;

    /// <summary>
    /// Calls are spread over the 20 ms frame period in this many phases, as independent calls are:
    /// with every call on one phase, each frame would meet the bridge in a burst of all the calls'
    /// frames, and its hop would include the work for those queued before it.
    /// </summary>
    internal const int Phases = 10;

    private const long PeriodMicros = CallClock.FrameMs * 1000L;
    private const long PhaseMicros = PeriodMicros / Phases;

    private ProcessSample? _idleFrom;
    private ProcessSample? _idleTo;

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken)
    {
        await SampleIdleAsync(cancellationToken);
        var steps = new List<LoadStep>();
        foreach (var calls in options.Steps)
        {
            var step = await RunStepAsync(calls, cancellationToken);
            Log.StepDone(logger, calls, step.CallsConnected, step.FramesLate, step.CpuPercentPerCall, step.HopIn?.P99Ms, step.HopOut.P99Ms);
            steps.Add(step);
        }

        return LoadReport.Of(options.ServerName, options.BridgePid, steps);
    }

    private async Task SampleIdleAsync(CancellationToken cancellationToken)
    {
        if (options.BridgePid is not { } pid)
        {
            return;
        }

        _idleFrom = ProcessSampler.Read(pid, HopTag.NowMicros());
        await Task.Delay(TimeSpan.FromSeconds(options.IdleS), time, cancellationToken);
        _idleTo = ProcessSampler.Read(pid, HopTag.NowMicros());
        if (_idleFrom is null || _idleTo is null)
        {
            Log.NoProcess(logger, pid);
        }
    }

    private async Task<LoadStep> RunStepAsync(int count, CancellationToken cancellationToken)
    {
        await ProbeAsync(reset: true, cancellationToken);
        var measure = new LoadMeasurements();
        var since = time.GetUtcNow();
        await using var sip = options.Leg == LoadLeg.Sip ? new SipLoadSignalling(udp, options.SipServer!, time, logger) : null;
        var callers = Enumerable.Range(0, count).Select(i => Call(i, new LoadTurns(i, options.Audio, measure), measure, sip)).ToList();
        var connected = await ConnectAsync(callers, cancellationToken);
        var (loaded, rssKb, stormDropped) = await PaceAsync(connected, measure, cancellationToken);
        await InBatchesAsync(connected, async c =>
        {
            await c.StopAsync(time);
            return c;
        }, cancellationToken);
        // Frames in flight reach the provider, and the bridge audits its ended calls, before they are read.
        await Task.Delay(TimeSpan.FromSeconds(stormDropped is null ? 1 : 3), time, cancellationToken);
        var probe = await ProbeAsync(reset: false, cancellationToken);
        var handoffs = stormDropped is null || options.AuditDirectory is null ? null : AuditHandoffs.Read(options.AuditDirectory, since);
        return Step(count, connected.Count, measure, loaded, rssKb, probe, stormDropped, handoffs);
    }

    private ILoadCall Call(int index, LoadTurns turns, LoadMeasurements measure, SipLoadSignalling? sip) => sip is null
        ? new TwilioLoadCall(index, turns, measure, connector, options.Server!)
        : new SipLoadCall(index, turns, measure, sip, udp);

    private LoadStep Step(int count, int connected, LoadMeasurements measure, double? loadedCpu, double? rssKb, LoadProbeSnapshot? probe, int? stormDropped, HandoffDistribution? handoffs)
    {
        double? idleCpu = _idleFrom is { } a && _idleTo is { } b ? ProcessSampler.CpuPercent(a, b) : null;
        double? idleRssMb = _idleTo?.RssKb / 1024.0;
        double? loadedRssMb = rssKb / 1024.0;
        var perCall = LoadMath.PerCall(idleCpu, loadedCpu, connected);
        // After a storm the calls' caller audio goes to the next engine of the chain, which the
        // probe does not see: the provider's count no longer tells lost frames.
        var lost = stormDropped is null ? LoadMath.Lost(measure.FramesSent, probe?.FramesReceived) : null;
        return new LoadStep
        {
            Calls = count, CallsConnected = connected, DurationS = options.DurationS,
            IdleCpuPercent = idleCpu, LoadedCpuPercent = loadedCpu, IdleRssMb = idleRssMb, LoadedRssMb = loadedRssMb,
            CpuPercentPerCall = perCall, CallsPerCore = LoadMath.CallsPerCore(perCall), MemoryMbPerCall = LoadMath.PerCall(idleRssMb, loadedRssMb, connected),
            HopIn = probe?.HopIn, HopOut = measure.HopOut.Summary(), FirstAudio = measure.FirstAudio.Summary(),
            FramesSent = measure.FramesSent, FramesNotSent = measure.FramesNotSent, FramesReceivedByProvider = probe?.FramesReceived,
            FramesLate = probe is null ? null : probe.HopIn.Late + measure.AgentFramesLateCount,
            AgentFramesLate = measure.AgentFramesLateCount, AgentFramesReceived = measure.AgentFramesReceivedCount, FramesLost = lost,
            Turns = measure.Turns, TurnsUnanswered = measure.TurnsUnanswered, SenderLateTicks = measure.SenderLateTicks,
            StormDropped = stormDropped, Handoffs = handoffs,
        };
    }

    private async Task<List<ILoadCall>> ConnectAsync(List<ILoadCall> callers, CancellationToken cancellationToken) =>
        await InBatchesAsync(callers, async c =>
        {
            try
            {
                await c.ConnectAsync(cancellationToken);
                return c;
            }
            catch (Exception e) when (e is ConnectFailedException or System.Net.WebSockets.WebSocketException or HttpRequestException or IOException or System.Net.Sockets.SocketException)
            {
                Log.ConnectFailed(logger, options.ServerName, e.Message);
                return null;
            }
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="action"/> on every call, a batch at a time: the Twilio leg 25 at once; the
    /// SIP leg 10 each half second, since each call's INVITE and ACK, or BYE, count against the
    /// bridge's per-source request rate. The calls the action returned.
    /// </summary>
    private async Task<List<ILoadCall>> InBatchesAsync(List<ILoadCall> calls, Func<ILoadCall, Task<ILoadCall?>> action, CancellationToken cancellationToken)
    {
        var done = new List<ILoadCall>(calls.Count);
        var sip = options.Leg == LoadLeg.Sip;
        var first = true;
        foreach (var batch in calls.Chunk(sip ? SipConnectBatch : ConnectBatch))
        {
            if (sip && !first)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
            }

            first = false;
            done.AddRange((await Task.WhenAll(batch.Select(action))).OfType<ILoadCall>());
        }

        return done;
    }

    /// <summary>
    /// The shared clock: every call sends one frame per 20 ms of elapsed time, from its phase's offset
    /// in the period (a late tick catches up a few frames); the bridge is sampled from the end of the
    /// warm-up to just before the end.
    /// </summary>
    private async Task<(double? LoadedCpu, double? RssKb, int? StormDropped)> PaceAsync(List<ILoadCall> callers, LoadMeasurements measure, CancellationToken cancellationToken)
    {
        var start = HopTag.NowMicros();
        var end = start + (options.DurationS * 1_000_000L);
        var warm = start + Math.Max(2_000_000L, options.DurationS * 200_000L);
        var sampleEnd = end - 500_000;
        ProcessSample? from = null;
        ProcessSample? to = null;
        var rss = new List<long>();
        var nextRss = warm;
        Task<int?>? storm = null;
        var frames = new long[Phases];
        using var timer = new PeriodicTimer(TimeSpan.FromMicroseconds(PhaseMicros), time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = HopTag.NowMicros();
            if (now >= end)
            {
                break;
            }

            var late = false;
            for (var phase = 0; phase < Phases; phase++)
            {
                var due = FramesDue(now - start, phase);
                late |= due - frames[phase] > 1;
                for (var n = 0; frames[phase] < due && n < MaxCatchUpFrames; n++, frames[phase]++)
                {
                    for (var i = phase; i < callers.Count; i += Phases)
                    {
                        callers[i].Tick(now);
                    }
                }

                frames[phase] = Math.Max(frames[phase], due);
            }

            if (late)
            {
                measure.SenderLate();
            }

            if (options.BridgePid is { } pid)
            {
                if (from is null && now >= warm)
                {
                    from = ProcessSampler.Read(pid, now);
                }

                if (now >= nextRss && now < sampleEnd && ProcessSampler.Read(pid, now) is { } sample)
                {
                    rss.Add(sample.RssKb);
                    nextRss = now + 1_000_000;
                }

                if (to is null && now >= sampleEnd)
                {
                    to = ProcessSampler.Read(pid, now);
                }
            }

            if (storm is null && options.StormAtS is { } stormAt && now - start >= stormAt * 1_000_000L)
            {
                storm = StormAsync(cancellationToken);
            }
        }

        double? cpu = from is not null && to is not null ? ProcessSampler.CpuPercent(from, to) : null;
        return (cpu, rss.Count == 0 ? null : rss.Average(), storm is null ? null : await storm);
    }

    /// <summary>Frames a call of <paramref name="phase"/> owes <paramref name="elapsedMicros"/> after the step began: its first is due at its phase's offset.</summary>
    internal static long FramesDue(long elapsedMicros, int phase)
    {
        var sinceOffset = elapsedMicros - (phase * PhaseMicros);
        return sinceOffset < 0 ? 0 : (sinceOffset / PeriodMicros) + 1;
    }

    private async Task<int?> StormAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsync(new Uri(options.Simulator!, LoadProbeEndpoints.StormPath), null, cancellationToken);
            response.EnsureSuccessStatusCode();
            var dropped = (await response.Content.ReadFromJsonAsync<StormResult>(LoadJson.Options, cancellationToken))?.Dropped;
            Log.Storm(logger, dropped ?? 0);
            return dropped;
        }
        catch (HttpRequestException e)
        {
            Log.ProbeFailed(logger, options.Simulator!, e.Message);
            return null;
        }
    }

    private async Task<LoadProbeSnapshot?> ProbeAsync(bool reset, CancellationToken cancellationToken)
    {
        if (options.Simulator is not { } sim)
        {
            return null;
        }

        try
        {
            var uri = new Uri(sim, LoadProbeEndpoints.HopsPath + (reset ? $"?reset=true&lateMs={options.HopInLateMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : ""));
            return await http.GetFromJsonAsync<LoadProbeSnapshot>(uri, LoadJson.Options, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            Log.ProbeFailed(logger, sim, e.Message);
            return null;
        }
    }

    private sealed record StormResult(int Dropped);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "load step: {Calls} calls ({Connected} connected), frames late {Late}, CPU per call {CpuPerCall:F3} %, hop in p99 {HopInP99} ms, hop out p99 {HopOutP99} ms")]
        public static partial void StepDone(ILogger logger, int calls, int connected, long? late, double? cpuPerCall, double? hopInP99, double? hopOutP99);

        [LoggerMessage(2, LogLevel.Warning, "bridge process {Pid} cannot be read from /proc: no CPU or memory figures")]
        public static partial void NoProcess(ILogger logger, int pid);

        [LoggerMessage(3, LogLevel.Warning, "call to {Server} failed to connect: {Error}")]
        public static partial void ConnectFailed(ILogger logger, string server, string error);

        [LoggerMessage(4, LogLevel.Warning, "simulator control at {Simulator} failed (was it started with --load?): {Error}")]
        public static partial void ProbeFailed(ILogger logger, Uri simulator, string error);

        [LoggerMessage(5, LogLevel.Information, "failover storm: the simulator dropped {Dropped} sessions")]
        public static partial void Storm(ILogger logger, int dropped);
    }
}
