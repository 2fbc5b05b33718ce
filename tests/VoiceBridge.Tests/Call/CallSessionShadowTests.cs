using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// Shadow mode on one call session with scripted engines: the shadow hears every caller frame,
/// and nothing it says or asks for reaches the caller, the conversation, the tools or the chain.
/// </summary>
public sealed class CallSessionShadowTests(ITestOutputHelper output)
{
    // 0.5 s silence, 1 s tone, 1.5 s silence: one caller turn, samples [4000, 12000), 500-1500 ms.
    private static readonly byte[] OneBurst = TestAudio.Concat(TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(1500));

    [Fact]
    public void The_shadow_hears_the_caller_but_is_never_heard_and_never_runs_a_tool()
    {
        var shadow = new ScriptedEngine("local");
        var built = new List<(string Engine, string CallId)>();
        var tool = new RecordingTool("check_availability", "{\"free\":true}");
        var h = new CallHarness(output, options: Shadowed((spec, callId) =>
        {
            built.Add((spec.Name, callId));
            return shadow;
        }), tools: [tool]);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await shadow.Started;
            var feed = h.FeedAsync(OneBurst);
            await h.At(700);

            // Ready late: it hears what it missed from the log, then live.
            await shadow.Ready();
            await h.Engine.SpeechStarted("a-u1", 4000);
            await shadow.SpeechStarted("s-u1", 4000);
            await h.At(1700);
            await h.Engine.SpeechStopped("a-u1", 12000);
            await shadow.SpeechStopped("s-u1", 12000);
            await h.Engine.UserTranscript("a-u1", "I'd like to book a cleaning");
            await shadow.UserTranscript("s-u1", "i'd like to look a cleaning");
            await h.At(1800);
            await shadow.AgentAudio("s-a1", TestAudio.Tone(400));
            await shadow.AgentTranscript("s-a1", "Which day would suit you?");
            await shadow.ToolCall("call-1", "check_availability", "{}");
            await shadow.ResponseDone("s-r1");
            await h.At(2100);
            await h.Engine.AgentAudio("a-a1", TestAudio.Tone(300, 660));
            await h.Engine.AgentTranscript("a-a1", "Sure, which day?");
            await h.Engine.AgentAudioDone("a-a1");
            await h.Engine.ResponseDone("a-r1");
            await feed;
            await h.At(3500);
        });

        Assert.Equal([("local", "CA-test")], built);
        Assert.Equal(h.Engine.CallerBytes(), shadow.CallerBytes());
        shadow.AssertContiguousFrom(0);

        // The caller heard the active engine's 300 ms, nothing of the shadow's 400 ms.
        Assert.Equal(15, h.Leg.Frames.Count);
        Assert.DoesNotContain(summary.Turns, t => t.Engine == "local" || t.ItemId is "s-a1" or "s-u1");
        Assert.Empty(tool.Calls);
        Assert.Empty(summary.ToolCalls);
        Assert.Empty(h.Engine.ToolResults);
        Assert.Equal([("call-1", ShadowMode.NotExecutedOutput)], shadow.ToolResults);
        Assert.Equal(0, h.Session.FencedEvents);
        Assert.Empty(summary.Errors);

        var comparison = Assert.IsType<ShadowComparison>(summary.Shadow);
        Assert.Equal("local", comparison.Engine);
        Assert.Null(comparison.Failure);
        Assert.Equal(1, comparison.ToolCallsNotRun);
        var row = Assert.Single(comparison.Turns);
        Assert.Equal((1, 500L, 1500L), (row.Index, row.StartMs, row.EndMs));
        Assert.Equal("I'd like to book a cleaning", row.Active.Transcript);
        Assert.Equal("i'd like to look a cleaning", row.Shadow.Transcript);
        Assert.Equal(1.0 / 6, row.WordErrorRate!.Value, 3);
        Assert.Equal(300, row.Shadow.FirstAudioLatencyMs);
        Assert.Equal((400L, 5), (row.Shadow.ResponseAudioMs, row.Shadow.ResponseWords));
        var answer = Assert.Single(summary.Turns, t => t.Role == TurnRole.Assistant);
        Assert.Equal(answer.FirstAudioLatencyMs, row.Active.FirstAudioLatencyMs);
        Assert.Equal(("scripted", 300L, 3), (row.Active.Engine, row.Active.ResponseAudioMs, row.Active.ResponseWords));
    }

    [Fact]
    public void A_shadow_that_fails_to_start_is_recorded_and_the_call_goes_on()
    {
        var shadow = new ScriptedEngine("local") { StartBehavior = (_, _) => Task.FromException(new InvalidOperationException("refused")) };
        var h = new CallHarness(output, options: Shadowed((_, _) => shadow));

        var summary = Answered(h);

        var comparison = Assert.IsType<ShadowComparison>(summary.Shadow);
        Assert.Contains("start failed: refused", comparison.Failure, StringComparison.Ordinal);
        Assert.NotNull(comparison.FailedAtMs);
        Assert.Null(Assert.Single(comparison.Turns).Shadow.FirstAudioLatencyMs);
        Assert.Empty(shadow.CallerAudio);
        Assert.Empty(summary.Errors);
        Assert.Equal(1, h.EnginesCreated);
    }

    [Fact]
    public void A_shadow_that_cannot_be_built_or_whose_connection_ends_changes_nothing()
    {
        var unbuilt = Answered(new CallHarness(output, options: Shadowed((_, _) => throw new InvalidOperationException("no key for deepgram"))));
        Assert.Contains("could not be built: no key for deepgram", unbuilt.Shadow!.Failure, StringComparison.Ordinal);

        var shadow = new ScriptedEngine("local");
        var h = new CallHarness(output, options: Shadowed((_, _) => shadow));
        var closed = Answered(h, async () =>
        {
            await shadow.Started;
            await shadow.Ready();
            await shadow.Post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = shadow.Generation, Text = "socket lost" });
        });

        Assert.Equal("connection ended: socket lost", closed.Shadow!.Failure);
        Assert.Empty(closed.Errors);
        Assert.Empty(closed.Switches ?? []);
        Assert.Equal(1, h.EnginesCreated);

        // Fed until it failed (at 300 ms), not after; the active engine heard the whole call.
        Assert.InRange(shadow.CallerBytes().Length, CallClock.MsToSamples(280), CallClock.MsToSamples(300));
        Assert.Equal(OneBurst.Length, h.Engine.CallerBytes().Length);
    }

    private static CallSessionOptions Shadowed(Func<EngineSpec, string, IAgentEngine> factory) =>
        new() { Shadow = ShadowMode.Parse("local"), ShadowFactory = factory };

    /// <summary>One caller turn answered by the active engine; <paramref name="shadowScript"/> runs at 300 ms.</summary>
    private static CallSummary Answered(CallHarness h, Func<Task>? shadowScript = null) => h.Run(async () =>
    {
        await h.Engine.Started;
        await h.Engine.Ready();
        var feed = h.FeedAsync(OneBurst);
        await h.At(300);
        if (shadowScript is not null)
        {
            await shadowScript();
        }

        await h.At(2100);
        await h.Engine.AgentAudio("a-a1", TestAudio.Tone(300, 660));
        await h.Engine.AgentAudioDone("a-a1");
        await h.Engine.ResponseDone("a-r1");
        await feed;
        await h.At(3500);
    });
}
