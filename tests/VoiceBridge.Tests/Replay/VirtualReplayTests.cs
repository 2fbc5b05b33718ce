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
/// The whole call path (fake Twilio, bridge, Realtime client, simulator) in one process on one fake
/// clock over in-memory WebSockets: deterministic, and seconds per recorded call.
/// </summary>
public sealed class VirtualReplayTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("booking-ulaw8k.wav")]
    [InlineData("hours-pcm16k.wav")]
    [InlineData("cancel-noisy-44k-stereo.wav")]
    public void Fixture_replays_with_every_utterance_answered(string name)
    {
        var path = RepoPaths.Fixture(name);
        var expected = File.ReadAllLines(Path.ChangeExtension(path, ".txt")).Where(l => l.Trim().Length > 0).ToList();

        var report = RunVirtual(path, expected);

        output.WriteLine(string.Join("\n", report.Turns.Select(t => $"{t.Role} {t.StartMs}-{t.EndMs} lat={t.FirstAudioLatencyMs} {t.Text}")));
        Assert.True(report.Status == CallStatus.Passed, string.Join("; ", report.Failures.Concat(report.Errors)));
        Assert.Equal(expected.Count, report.Turns.Count(t => t.Role == "user"));
        Assert.Equal(expected, report.Turns.Where(t => t.Role == "user").Select(t => t.Text));
        Assert.Equal(0, report.Outbound.Discontinuities);
        Assert.Equal(report.Outbound.Frames, report.Outbound.FramesReceived);
    }

    private ReplayCallReport RunVirtual(string path, IReadOnlyList<string> expected)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var recording = WavLoader.Load(path);
        var callerOptions = new FakeCallerOptions();
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, time, loggers);
            return await ReplayCall.RunAsync(env, recording, expected, callerOptions, time, CancellationToken.None);
        });
        return ReplayCall.Evaluate(path, result, expected, ["openai-realtime (simulated)"], null);
    }
}
