using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// Two calls at once through one replay environment (one bridge, one set of simulated providers,
/// one fake clock): the simulators "hear" each caller's own utterances, because every provider
/// socket of a call names the call (<see cref="SimulatorControl.CallHeader"/>) and the transcript
/// hints are kept per call. With one shared queue the two callers' transcripts would interleave.
/// </summary>
public sealed class ConcurrentCallsReplayTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("openai-realtime", null)]
    [InlineData("openai-realtime,azure-realtime", "primary:close@turn2")]
    [InlineData("cascade-remote,local", null)]
    public void Two_concurrent_calls_in_one_environment_each_hear_their_own_callers_transcripts(string chainText, string? fault)
    {
        string[] fixtures = ["booking-ulaw8k.wav", "hours-pcm16k.wav"];
        var paths = fixtures.Select(RepoPaths.Fixture).ToArray();
        var expected = paths.Select(p => ReplayInputs.Sidecar(p)!).ToArray();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var chain = ChainSpec.Parse(chainText);
        FaultSpec[] faults = fault is null ? [] : [FaultSpec.Parse(fault)];
        var callers = fixtures.Select((_, i) => new FakeCallerOptions { CallSid = $"CA{i:D32}" }).ToArray();
        var (results, sessions) = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), options, time, loggers, faults);
            var calls = paths.Select((p, i) => ReplayCall.RunAsync(env, WavLoader.Load(p), expected[i], callers[i], time, CancellationToken.None)).ToArray();
            return (await Task.WhenAll(calls), env.Control.Sessions.ToList());
        });

        for (var i = 0; i < fixtures.Length; i++)
        {
            var report = ReplayCall.Evaluate(paths[i], results[i], expected[i], [.. chain.Engines.Select(e => e.Name)], null);
            foreach (var t in report.Turns)
            {
                output.WriteLine($"{fixtures[i]}: {t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {t.Text}");
            }

            Assert.Empty(report.Failures);
            // The local recogniser hears words without case or punctuation; the simulators say the hints.
            var heard = report.Turns.Where(t => t.Role == "user").Select(t => Words(t.Text)).ToList();
            Assert.Equal(expected[i].Select(Words), heard);
        }

        Assert.Equal(fault is not null, results.Any(r => r.Summary.Switches is { Count: > 0 }));

        // Every provider session the calls opened was tagged with its call, and both calls had theirs.
        var tagged = sessions.Where(s => s.CallId is not null).GroupBy(s => s.CallId!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(callers.Select(c => c.CallSid).Order(), tagged.Keys.Order());
    }

    private static string Words(string? text) =>
        string.Join(' ', (text ?? "").ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', '!', '?')));
}
