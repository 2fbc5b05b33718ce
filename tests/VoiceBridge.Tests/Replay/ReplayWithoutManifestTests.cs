using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// A recording with no manifest (no NAME.txt): the simulated provider hears its turns with the
/// local recogniser instead of being told the words, so the call is not mistaken for a deaf
/// provider and switched away from.
/// </summary>
public sealed class ReplayWithoutManifestTests(ITestOutputHelper output)
{
    [Fact]
    public void A_call_without_a_manifest_gets_words_for_its_turns_and_does_not_switch()
    {
        var report = Run(new SimulatorOptions());

        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Empty(report.Switches);
        var users = report.Turns.Where(t => t.Role == "user").ToList();
        Assert.Equal(4, users.Count);
        Assert.All(users, t => Assert.False(string.IsNullOrWhiteSpace(t.Text), $"turn at {t.StartMs} ms has no words"));
        Assert.Contains(users, t => t.Text.Contains("appointment", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Without_a_recogniser_the_same_call_reads_as_a_deaf_provider()
    {
        var report = Run(new SimulatorOptions { Recognizer = null });

        Assert.Contains(report.Switches, s => s.Reason == "quality-regression");
    }

    [Fact]
    public void The_local_recogniser_hears_a_domain_phrase()
    {
        var recording = WavLoader.Load(RepoPaths.Fixture("booking-ulaw8k.wav"));
        var first = recording.Samples.AsSpan(CallClock.SampleRate / 2, CallClock.SampleRate * 23 / 10);

        var text = new LocalSimulatedRecognizer().Recognize(first);

        output.WriteLine(text);
        Assert.Contains("appointment", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("", new LocalSimulatedRecognizer().Recognize([]));
    }

    [Fact]
    public void The_same_recording_replayed_again_in_the_process_is_heard_the_same()
    {
        // A replay's report must not depend on which calls ran before it (one recogniser serves them all).
        static string[] Heard(ReplayCallReport report) => [.. report.Turns.Where(t => t.Role == "user").Select(t => t.Text)];
        var recogniser = new LocalSimulatedRecognizer();

        var path = Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Replay", "Fixtures", "three-turns-ulaw8k.wav");

        var first = Heard(Run(new SimulatorOptions { Recognizer = recogniser }, path));
        var again = Heard(Run(new SimulatorOptions { Recognizer = recogniser }, path));

        Assert.Equal(first, again);
    }

    [Fact]
    public void A_recording_without_caller_speech_fails_as_testing_nothing()
    {
        using var dir = new Media.TempDirectory();
        var path = dir.Write("silent.wav", Media.WavFiles.Handmade(1, 1, 8000, 16, 2, new byte[5 * 16_000]));

        var report = Run(new SimulatorOptions(), path);

        Assert.Equal(CallStatus.Failed, report.Status);
        Assert.Contains(report.Failures, f => f.StartsWith("no caller speech: the bridge heard no caller turn", StringComparison.Ordinal));
    }

    private ReplayCallReport Run(SimulatorOptions simulator, string? path = null)
    {
        path ??= RepoPaths.Fixture("booking-ulaw8k.wav");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var recording = WavLoader.Load(path);
        var chain = ChainSpec.Parse("openai-realtime,local");
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(chain, simulator, new CallSessionOptions { DryRunTools = true }, time, loggers);
            return await ReplayCall.RunAsync(env, recording, null, new FakeCallerOptions(), time, CancellationToken.None);
        });
        var report = ReplayCall.Evaluate(path, result, null, [.. chain.Engines.Select(e => e.Name)], null);
        foreach (var t in report.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {t.Text}");
        }

        return report;
    }
}
