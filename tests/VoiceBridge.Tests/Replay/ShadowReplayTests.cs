using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// Shadow mode on the whole call path in virtual time: the booking fixture on
/// <c>openai-realtime</c> with the local cascade as the shadow. The shadow is compared per turn,
/// and the call (its turns, its answers, the audio the caller heard) is exactly what it is without
/// a shadow, also when the shadow fails.
/// </summary>
public sealed class ShadowReplayTests(ITestOutputHelper output)
{
    private const string Fixture = "booking-ulaw8k.wav";
    private const string Chain = "openai-realtime";

    [Fact]
    public void A_local_shadow_is_compared_turn_by_turn_and_changes_nothing_the_caller_hears()
    {
        var plain = Run(shadow: null, faults: []);
        var shadowed = Run(shadow: "local", faults: []);

        Assert.Null(plain.Report.Shadow);
        Assert.Equal(CallStatus.Passed, shadowed.Report.Status);
        var shadow = Assert.IsType<ShadowReport>(shadowed.Report.Shadow);
        var userTurns = shadowed.Report.Turns.Count(t => t.Role == "user");
        Assert.Equal(4, userTurns);
        Assert.Equal(userTurns, shadow.Turns.Count);
        Assert.Equal([1, 2, 3, 4], shadow.Turns.Select(t => t.Index));
        Assert.All(shadow.Turns, row =>
        {
            Assert.Equal("openai-realtime", row.Active.Engine);
            Assert.Equal("local", row.Shadow.Engine);
            Assert.False(string.IsNullOrWhiteSpace(row.Active.Transcript));
            Assert.NotNull(row.Shadow.Transcript);
            Assert.NotNull(row.WordErrorRate);
            Assert.NotNull(row.Active.FirstAudioLatencyMs);
            Assert.NotNull(row.Shadow.FirstAudioLatencyMs);
            Assert.True(row.Active.ResponseAudioMs > 0 && row.Active.ResponseWords > 0, $"turn {row.Index}: the active engine's answer has no length");
            Assert.True(row.Shadow.ResponseAudioMs > 0 && row.Shadow.ResponseWords > 0, $"turn {row.Index}: the shadow's answer has no length");
        });
        Assert.Null(shadow.Failure);
        Assert.Equal(0, shadow.ShadowUnansweredTurns);
        Assert.Equal(4, shadow.ComparedTurns);
        Assert.NotNull(shadow.MeanWordErrorRate);
        Assert.NotNull(shadow.ShadowFirstAudioLatencyP50Ms);

        // The active side of each row is the call's own accounting.
        var activeLatencies = shadowed.Report.Turns.Where(t => t.Role == "assistant" && t.FirstAudioLatencyMs is not null).Select(t => t.FirstAudioLatencyMs);
        Assert.Equal(activeLatencies, shadow.Turns.Select(t => t.Active.FirstAudioLatencyMs));
        Assert.Equal(shadowed.Report.Turns.Where(t => t.Role == "user").Select(t => t.Text), shadow.Turns.Select(t => t.Active.Transcript));

        AssertCallUnchanged(plain, shadowed);

        var audited = shadowed.Audit.Where(e => e.Kind == "shadow-turn").ToList();
        Assert.Equal(userTurns, audited.Count);
        Assert.Single(audited.Select(e => e.CallId).Distinct());
        Assert.All(audited, e =>
        {
            Assert.NotEqual(AuditEvent.NoCall, e.CallId);
            Assert.Equal("openai-realtime", e.From);
            Assert.Equal("local", e.To);
            Assert.Contains("\"wordErrorRate\":", e.DetailsJson, StringComparison.Ordinal);
            Assert.Contains("\"firstAudioLatencyMs\":", e.DetailsJson, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(plain.Audit, e => e.Kind == "shadow-turn");
    }

    [Theory]
    [InlineData("local.stt:refuse@connect", 0)]
    [InlineData("local.llm:error@turn2", 1)]
    public void A_failing_shadow_is_reported_and_the_call_goes_on_as_without_it(string fault, int answeredBeforeFailing)
    {
        var plain = Run(shadow: null, faults: []);
        var shadowed = Run(shadow: "local", faults: [FaultSpec.Parse(fault)]);

        Assert.Equal(CallStatus.Passed, shadowed.Report.Status);
        Assert.Empty(shadowed.Report.Switches);
        var shadow = Assert.IsType<ShadowReport>(shadowed.Report.Shadow);
        Assert.NotNull(shadow.Failure);
        Assert.NotNull(shadow.FailedAtMs);
        Assert.Equal(4, shadow.Turns.Count);
        Assert.Equal(answeredBeforeFailing, shadow.Turns.Count(t => t.Shadow.ResponseAudioMs > 0));
        Assert.Equal(4 - answeredBeforeFailing, shadow.ShadowUnansweredTurns);
        Assert.DoesNotContain(shadowed.Report.Errors, e => e.Contains("local", StringComparison.Ordinal));
        AssertCallUnchanged(plain, shadowed);
        Assert.Equal(4, shadowed.Audit.Count(e => e.Kind == "shadow-turn"));
    }

    [Fact]
    public void A_fault_aimed_at_a_shadow_that_is_not_served_is_refused() =>
        Assert.Throws<ArgumentException>(() => ReplayEnvironment.ValidateFaults(ChainSpec.Parse(Chain), [FaultSpec.Parse("local.stt:refuse@connect")]));

    /// <summary>The caller's experience is the same call: turns, words, timings, and the very audio it heard.</summary>
    private static void AssertCallUnchanged(ShadowRunResult plain, ShadowRunResult shadowed)
    {
        Assert.Equal(Describe(plain.Report), Describe(shadowed.Report));
        Assert.Equal(plain.Report.ToolCalls.Select(c => (c.Name, c.Arguments, c.Output)), shadowed.Report.ToolCalls.Select(c => (c.Name, c.Arguments, c.Output)));
        Assert.Equal(plain.Report.Outbound, shadowed.Report.Outbound);
        Assert.True(plain.AgentTrack.AsSpan().SequenceEqual(shadowed.AgentTrack), "the agent audio the caller heard differs with a shadow");
    }

    private static List<string> Describe(ReplayCallReport report) =>
        [.. report.Turns.Select(t => $"{t.Role} {t.Engine} {t.StartMs}-{t.EndMs} lat={t.FirstAudioLatencyMs} cut={t.Interrupted} {t.Text} | {t.HeardText}")];

    private ShadowRunResult Run(string? shadow, IReadOnlyList<FaultSpec> faults)
    {
        var path = RepoPaths.Fixture(Fixture);
        var expected = ReplayInputs.Sidecar(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var recording = WavLoader.Load(path);
        var chain = ChainSpec.Parse(Chain);
        var shadowSpec = shadow is null ? null : ShadowMode.Parse(shadow);
        ReplayEnvironment.ValidateFaults(ShadowMode.Provisioned(chain, shadowSpec), faults);
        var audit = new RecordingAudit();
        var result = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(3), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Apology = LastResort.Render(new EspeakSynthesizer()), AuditLog = audit, Shadow = shadowSpec };
            await using var env = ReplayEnvironment.CreateVirtual(chain, new SimulatorOptions(), options, time, loggers, faults);
            return await ReplayCall.RunAsync(env, recording, expected, new FakeCallerOptions(), time, CancellationToken.None);
        });
        var report = ReplayCall.Evaluate(path, result, expected, [Chain], null);
        foreach (var row in report.Shadow?.Turns ?? [])
        {
            output.WriteLine($"turn {row.Index} wer={row.WordErrorRate} | active {row.Active.FirstAudioLatencyMs} ms {row.Active.ResponseAudioMs} ms/{row.Active.ResponseWords} w \"{row.Active.Transcript}\" | shadow {row.Shadow.FirstAudioLatencyMs} ms {row.Shadow.ResponseAudioMs} ms/{row.Shadow.ResponseWords} w \"{row.Shadow.Transcript}\" -> {row.Shadow.ResponseText}");
        }

        if (report.Shadow?.Failure is { } failure)
        {
            output.WriteLine($"shadow failed at {report.Shadow.FailedAtMs} ms: {failure}");
        }

        return new ShadowRunResult(report, result.Observed.AgentTrack, [.. audit.Events]);
    }

    private sealed record ShadowRunResult(ReplayCallReport Report, short[] AgentTrack, IReadOnlyList<AuditEvent> Audit);
}
