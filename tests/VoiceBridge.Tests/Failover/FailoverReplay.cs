using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Failover;

/// <summary>
/// Replays a fixture with faults through the whole call path in virtual time (the fake carrier,
/// the bridge, the simulated providers on one fake clock) and returns the replay's report; with
/// <c>health</c>, the engines share breakers with real probes, and the primary's faults can end
/// mid-call (<c>recoverPrimaryAfter</c>).
/// </summary>
internal static class FailoverReplay
{
    public static ReplayCallReport Run(
        ITestOutputHelper output,
        string fixture,
        IReadOnlyList<FaultSpec> faults,
        string chainText,
        Action<CallSessionOptions>? configure = null,
        ReplayLeg leg = ReplayLeg.Twilio,
        FakeCallerOptions? callerOptions = null,
        ProviderHealthOptions? health = null,
        TimeSpan? recoverPrimaryAfter = null) =>
        RunObserved(output, fixture, faults, chainText, configure, leg, callerOptions, health, recoverPrimaryAfter).Report;

    /// <summary>As <see cref="Run"/>, with what the fake carrier observed on the wire (what the caller heard).</summary>
    public static (ReplayCallReport Report, FakeCallerResult Observed) RunObserved(
        ITestOutputHelper output,
        string fixture,
        IReadOnlyList<FaultSpec> faults,
        string chainText,
        Action<CallSessionOptions>? configure = null,
        ReplayLeg leg = ReplayLeg.Twilio,
        FakeCallerOptions? callerOptions = null,
        ProviderHealthOptions? health = null,
        TimeSpan? recoverPrimaryAfter = null)
    {
        var path = RepoPaths.Fixture(fixture);
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var recording = WavLoader.Load(path);
        var chain = ChainSpec.Parse(chainText);
        ReplayEnvironment.ValidateFaults(chain, faults);
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = LastResort.Render(new EspeakSynthesizer()) };
            configure?.Invoke(options);
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), options, time, loggers, faults, health, leg);
            var call = ReplayCall.RunAsync(env, recording, expected, callerOptions ?? new FakeCallerOptions(), time, CancellationToken.None);
            if (recoverPrimaryAfter is { } after)
            {
                // The primary's faults end this far into the call: its probes then succeed.
                await time.Elapse(after);
                env.Simulators[chain.Engines[0].Name].Faults.Recover();
            }

            return await call;
        });
        var report = ReplayCall.Evaluate(path, result, expected, [.. chain.Engines.Select(e => e.Name)], null);
        foreach (var t in report.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} lat={t.FirstAudioLatencyMs} {(t.Interrupted ? "[cut] " : "")}{t.Text} | heard: {t.HeardText}");
        }

        foreach (var s in report.Switches)
        {
            output.WriteLine(s.ToString());
        }

        return (report, result.Observed);
    }
}
