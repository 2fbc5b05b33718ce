using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Operations;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>What a warm-up did: whether its call switched engines, and how long it took.</summary>
public sealed record WarmUpResult(bool Completed, int Switches, TimeSpan Elapsed, string? Error);

/// <summary>
/// Runs one short synthetic call with a mid-call failover through the whole call path before a
/// process takes real calls. A .NET process compiles each method on its first use, so without
/// this the first call's failover pays for compiling the detection and handoff path: measured on
/// loopback, a socket loss was detected 46 ms after the fault on a process's first call and 1 ms on
/// the next ones, and the handoff took 239 ms against 40 (docs/failover-timing.md). The call runs
/// in virtual time over the in-memory transport against simulated providers of the same kinds
/// as the chain (no network, no keys, no provider bill), with its own health tracker, no audit
/// log, no logging and no metrics or spans (<see cref="BridgeTelemetry.Unobserved"/>), so nothing
/// of it is visible to the process's real calls or to its operators.
/// </summary>
public static class CallPathWarmUp
{
    private static readonly string[] Utterances = ["Hello, I would like to book an appointment.", "Friday at two, please."];

    public static WarmUpResult Run(ChainSpec chain)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var voice = new EspeakSynthesizer();
            var recording = new CallerRecording("warm-up", Script(voice), CallClock.SampleRate, 1, "synthetic");
            var faults = Fault(chain);
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            ILoggerFactory loggers = NullLoggerFactory.Instance;
            var result = BridgeTelemetry.Unobserved(() => VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(2), async () =>
            {
                var options = new CallSessionOptions { DryRunTools = true, Apology = LastResort.Render(voice) };
                await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), options, time, loggers, faults);
                return await ReplayCall.RunAsync(env, recording, Utterances, new FakeCallerOptions(), time, CancellationToken.None);
            }));
            return new WarmUpResult(true, result.Summary.Switches?.Count ?? 0, clock.Elapsed, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new WarmUpResult(false, 0, clock.Elapsed, e.Message);
        }
    }

    /// <summary>A socket lost at the first reply when the primary is a Realtime engine; a cascade's first stage otherwise; none for a chain of one.</summary>
    private static IReadOnlyList<FaultSpec> Fault(ChainSpec chain)
    {
        if (chain.Engines.Count < 2)
        {
            return [];
        }

        var spec = FaultSpec.Parse(chain.Engines[0].Kind == EngineKind.Realtime ? "primary:close@turn1" : "primary.stt:close@turn1");
        try
        {
            ReplayEnvironment.ValidateFaults(chain, [spec]);
            return [spec];
        }
        catch (ArgumentException)
        {
            return [];
        }
    }

    private static short[] Script(ISpeechSynthesizer voice)
    {
        var samples = new List<short>();
        void Silence(int ms) => samples.AddRange(new short[CallClock.SampleRate * ms / 1000]);
        Silence(500);
        foreach (var text in Utterances)
        {
            var mulaw = voice.SynthesizeMuLaw(text);
            var pcm = new short[mulaw.Length];
            G711.MuLawDecode(mulaw, pcm);
            samples.AddRange(pcm);
            Silence(3000);
        }

        return [.. samples];
    }
}
