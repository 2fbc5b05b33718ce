using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Call;

/// <summary>The engine contract from the call session's side: start, tools, fencing, failures, the summary.</summary>
public sealed class CallSessionEngineTests(ITestOutputHelper output)
{
    [Fact]
    public void The_engine_starts_with_generation_one_the_calls_conversation_and_the_tools()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            var start = await h.Engine.Started;
            Assert.Equal(1, start.Generation);
            Assert.Same(h.Session.Conversation, start.Conversation);
            Assert.Same(h.Session, start.Events);
            Assert.Equal(["check_availability"], start.Tools.Select(t => t.Name));
            Assert.Equal(h.Options.Instructions, start.Conversation.Instructions);
        });

        Assert.Equal(1, h.EnginesCreated);
        Assert.True(h.Engine.Disposed);
    }

    [Fact]
    public void A_tool_call_runs_the_tool_and_its_output_goes_back_to_the_engine_and_into_the_conversation()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.At(15);
            await h.Engine.ToolCall("call_1", "check_availability", """{"day":"Friday"}""");
            await h.At(16);
            await h.Engine.ToolCall("call_2", "check_availability", """{"day":"Tuesday"}""");
            await h.At(17);
        });

        const string Friday = """{"day":"Friday","slots":["10:00","14:30"]}""";
        const string Tuesday = """{"day":"Tuesday","slots":["09:30","15:00"]}""";
        Assert.Equal([("call_1", Friday), ("call_2", Tuesday)], h.Engine.ToolResults);
        Assert.Equal(
            [
                new ToolCallRecord("call_1", "check_availability", """{"day":"Friday"}""", Friday, "scripted", 15),
                new ToolCallRecord("call_2", "check_availability", """{"day":"Tuesday"}""", Tuesday, "scripted", 16),
            ],
            summary.ToolCalls);
        Assert.Equal(summary.ToolCalls, h.Session.Conversation.ToolCalls);
    }

    [Fact]
    public void Tools_get_the_arguments_and_the_dry_run_option()
    {
        var tool = new RecordingTool("lookup", "\"found\"");
        var h = new CallHarness(output, options: new CallSessionOptions { DryRunTools = true }, tools: [tool]);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "lookup", """{"name":"Ada","n":2}""");
            await h.Engine.ToolCall("c2", "lookup", "");
            await h.At(5);
        });

        Assert.Equal([("""{"name":"Ada","n":2}""", true), ("{}", true)], tool.Calls);
        Assert.Equal([("c1", "\"found\""), ("c2", "\"found\"")], h.Engine.ToolResults);
    }

    [Fact]
    public void An_unknown_tool_or_bad_arguments_give_the_model_an_error_it_can_read()
    {
        var h = new CallHarness(output);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.ToolCall("c1", "transfer_to_mars", "{}");
            await h.Engine.ToolCall("c2", "check_availability", "{not json");
            await h.At(5);
        });

        Assert.Equal(["c1", "c2"], h.Engine.ToolResults.Select(r => r.CallId));
        Assert.Contains("unknown tool 'transfer_to_mars'", Error(h.Engine.ToolResults[0].Output), StringComparison.Ordinal);
        Assert.Contains("not valid JSON", Error(h.Engine.ToolResults[1].Output), StringComparison.Ordinal);
        Assert.Equal(2, h.Session.Conversation.ToolCalls.Count);
    }

    [Fact]
    public void A_tool_that_throws_still_answers_the_engine_and_the_call_goes_on()
    {
        var h = new CallHarness(output, tools: [new FailingTool("book", "calendar backend down")]);
        var audio = TestAudio.Pattern(5 * CallClock.FrameSamples);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Engine.ToolCall("c1", "book", """{"day":"Friday"}""");
            await h.FeedAsync(audio);
            await h.At(200);
        });

        var (callId, result) = Assert.Single(h.Engine.ToolResults);
        Assert.Equal("c1", callId);
        Assert.Contains("calendar backend down", Error(result), StringComparison.Ordinal);
        Assert.Equal("c1", Assert.Single(h.Session.Conversation.ToolCalls).CallId);
        Assert.Equal(audio, h.Engine.CallerBytes());
    }

    [Fact]
    public void Events_of_another_generation_are_fenced()
    {
        var h = new CallHarness(output);
        var audio = TestAudio.Pattern(10 * CallClock.FrameSamples);

        h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.Ready, Generation = 0 });
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.Ready, Generation = 2 });
            await h.Engine.AgentAudio("old", TestAudio.Pattern(CallClock.SampleRate), generation: 0);
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.ToolCall, Generation = 2, CallId = "c1", Name = "check_availability", Arguments = "{}" });
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.Error, Generation = 0, Text = "stale" });
            await h.FeedAsync(audio);
            await h.At(300);
            Assert.Equal(4 + (CallClock.SampleRate / 800), h.Session.FencedEvents);
            Assert.Empty(h.Engine.CallerAudio);

            // The current generation still works.
            await h.Engine.Ready();
            await h.At(301);
        });

        Assert.Equal(audio, h.Engine.CallerBytes());
        Assert.Empty(h.Leg.Events);
        Assert.Empty(h.Engine.ToolResults);
        Assert.Empty(h.Session.Conversation.Turns);
        Assert.Empty(h.Session.Conversation.ToolCalls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_engine_start_that_fails_is_an_error_in_the_summary_and_the_call_goes_on(bool throwSynchronously)
    {
        var failure = new InvalidOperationException("provider unreachable");
        var engine = new ScriptedEngine
        {
            StartBehavior = throwSynchronously ? (_, _) => throw failure : (_, _) => Task.FromException(failure),
        };
        var h = new CallHarness(output, engine);
        var audio = TestAudio.Concat(TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(1000));

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.FeedAsync(audio);
            await h.At(3000);
        });

        // The first error names the failed start (a failover controller may add its own after it).
        Assert.Equal("scripted: connection ended: start failed: provider unreachable", summary.Errors[0]);
        Assert.Equal(2500, summary.CallerAudioMs);
        Assert.Equal(3000, summary.DurationMs);
        Assert.Single(summary.Turns, t => t.Role == TurnRole.User); // our VAD still runs
        Assert.Empty(h.Engine.CallerAudio);
        Assert.Contains(h.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("start failed: provider unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public void Provider_errors_failed_responses_and_failed_transcriptions_are_reported()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            var g = h.Engine.Generation;
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.Error, Generation = g, Text = "rate limit" });
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.ResponseDone, Generation = g, ResponseId = "r1", Status = "completed" });
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.ResponseDone, Generation = g, ResponseId = "r2", Status = "failed", Text = "server_error" });
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.UserTranscriptFailed, Generation = g, ItemId = "u1", Text = "audio unclear" });
            await h.Session.OnDtmfAsync("7");
            await h.At(5);
        });

        Assert.Equal(
            [
                "scripted: provider error: rate limit",
                "scripted: response r2 ended failed: server_error",
                "scripted: transcription of u1 failed: audio unclear",
            ],
            summary.Errors);
        Assert.Contains(h.Logger.Entries, e => e.Message.Contains("DTMF 7", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_event_is_an_internal_error_and_does_not_end_the_call()
    {
        var h = new CallHarness(output);
        var audio = TestAudio.Pattern(5 * CallClock.FrameSamples);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            await h.Engine.Post(new EngineEvent { Kind = EngineEventKind.AgentAudioDone, Generation = h.Engine.Generation, ItemId = null });
            await h.FeedAsync(audio);
            await h.At(200);
        });

        Assert.Contains(summary.Errors, e => e.StartsWith("internal: handling Engine failed", StringComparison.Ordinal));
        Assert.Equal(audio, h.Engine.CallerBytes());
        Assert.Equal(200, summary.DurationMs);
    }

    [Fact]
    public void Leg_errors_go_into_the_summary_named_by_leg()
    {
        var h = new CallHarness(output);

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            h.Session.ReportLegError("media.payload is not valid base64");
            await h.At(5);
        });

        Assert.Equal(["test: media.payload is not valid base64"], summary.Errors);
    }

    [Fact]
    public void A_flood_of_leg_errors_logs_the_first_ten_keeps_a_hundred_and_counts_them_all_in_the_audit()
    {
        var audit = new RecordingAudit();
        var h = new CallHarness(output, options: new CallSessionOptions { AuditLog = audit });

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            for (var i = 0; i < 150; i++)
            {
                h.Session.ReportLegError($"bad message {i}");
            }

            await h.At(5);
        });

        Assert.Equal(100, summary.Errors.Count);
        Assert.Equal(10, h.Logger.Entries.Count(e => e.Message.Contains("bad message from the caller leg", StringComparison.Ordinal)));
        Assert.Single(h.Logger.Entries, e => e.Message.Contains("more are counted, not logged", StringComparison.Ordinal));
        var ended = Assert.Single(audit.Events, e => e.Kind == "call-ended");
        Assert.Equal(150, JsonDocument.Parse(ended.DetailsJson).RootElement.GetProperty("errors").GetInt32());
    }

    [Fact]
    public void A_hangup_ends_the_call_with_a_summary_whose_counts_match_what_happened()
    {
        var h = new CallHarness(output);
        var caller = TestAudio.Concat(TestAudio.Silence(500), TestAudio.Tone(1000), TestAudio.Silence(1500));
        var agent = TestAudio.Pattern(CallClock.SampleRate + 100, seed: 21);
        var echoed = new HashSet<string>();

        var summary = h.Run(async () =>
        {
            await h.Engine.Started;
            await h.Engine.Ready();
            var feed = h.FeedAsync(caller);
            await h.Engine.SpeechStarted("u1", 4000);
            await h.At(2005);
            await h.Engine.SpeechStopped("u1", 12000);
            await h.Engine.UserTranscript("u1", "Is Friday free");
            await h.Engine.ToolCall("call_1", "check_availability", """{"day":"Friday"}""");
            await h.At(2105);
            await h.Engine.AgentAudio("a1", agent);
            await h.Engine.AgentAudioDone("a1");
            await h.Engine.AgentTranscript("a1", "Friday at ten or half past two");
            await h.Engine.ResponseDone("r1");
            await feed;
            await h.At(3500);
            await h.EchoMarks(h.Leg.Frames.Count, echoed);
            await h.At(3600);
        });

        Assert.Equal(("CA-test", "test"), (summary.CallId, summary.Leg));
        Assert.Equal(3000, summary.CallerAudioMs);
        Assert.Equal(3600, summary.DurationMs);
        Assert.Equal(h.Leg.Frames.Count, summary.OutboundFrames);
        Assert.Equal(51, summary.OutboundFrames);
        Assert.Equal(0, summary.OutboundDiscontinuities);
        Assert.Equal(0, summary.LostCallerAudioMs);
        Assert.Empty(summary.Errors);
        Assert.Equal([TurnRole.User, TurnRole.Assistant], summary.Turns.Select(t => t.Role));
        Assert.Equal("Is Friday free", summary.Turns[0].Text);
        Assert.Equal("Friday at ten or half past two", summary.Turns[1].HeardText);
        Assert.Equal(605, summary.Turns[1].FirstAudioLatencyMs); // first frame at 2105 ms, as the audio arrives; the caller stopped at 1500 ms
        Assert.Equal("call_1", Assert.Single(summary.ToolCalls).CallId);
        Assert.True(h.Engine.Disposed);
        Assert.Equal(caller, h.Engine.CallerBytes());
    }

    [Fact]
    public void Cancelling_the_call_ends_it_with_a_summary()
    {
        var h = new CallHarness(output);
        var audio = TestAudio.Pattern(5 * CallClock.FrameSamples);

        var summary = VirtualTimeLoop.Run(h.Time, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), async () =>
        {
            using var cts = new CancellationTokenSource();
            var run = h.Session.RunAsync(cts.Token);
            await h.FeedAsync(audio);
            await h.At(150);
            cts.Cancel();
            return await run;
        });

        Assert.Equal((100L, 150L), (summary.CallerAudioMs, summary.DurationMs));
        Assert.True(h.Engine.Disposed);
        Assert.Contains(h.Logger.Entries, e => e.Message.Contains("cancelled", StringComparison.Ordinal));
    }

    private static string Error(string toolOutput)
    {
        using var doc = JsonDocument.Parse(toolOutput);
        return doc.RootElement.GetProperty("error").GetString()!;
    }
}
