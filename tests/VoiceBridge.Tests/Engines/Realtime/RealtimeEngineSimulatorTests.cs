using VoiceBridge.Tests.Support;
using System.Text.Json;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using VoiceBridge.Simulator;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>
/// The production Realtime client against the provider simulator over real loopback sockets
/// (Kestrel on 127.0.0.1, <c>SystemWebSocketConnector</c>, system time). Caller audio is fed as fast
/// as the test likes, since the simulator's VAD works on audio positions; every wait is for an
/// event, bounded, and no assertion is about wall-clock time (timings are only reported).
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed partial class RealtimeEngineSimulatorTests(ITestOutputHelper output)
{
    /// <summary>How far a provider speech position may be from the utterance's true edge: 100 ms.</summary>
    private const long EdgeTolerance = 100 * CallClock.SampleRate / 1000;

    /// <summary>Silence fed after an utterance: over the 500 ms silence window, with margin.</summary>
    private const double TrailingSilenceS = 0.8;

    [Fact]
    public async Task Full_turn_reports_speech_at_call_positions_the_transcripts_and_the_reply_audio()
    {
        // The second utterance of the booking call, with the engine joining mid-call in the silence
        // before it: provider offsets count from the first audio it was given, not from the call's start.
        var audio = CallerAudio.Load("booking-ulaw8k.wav");
        var (hint, startS, endS) = audio.Utterances[1];
        var reply = SimulatorScript.Default.Answer(hint).Reply;
        await using var h = await SimulatorHarness.StartAsync(output);
        h.Simulator.Control.AddTranscriptHints([hint]);
        var feed = h.Feed(audio);
        feed.Skip(audio.Utterances[0].EndS + 1.0);

        var fedAt = TimeProvider.System.GetTimestamp();
        feed.Until(endS + TrailingSilenceS);
        var done = await h.Events.WaitAsync(EngineEventKind.ResponseDone);
        var turnTime = TimeProvider.System.GetElapsedTime(fedAt);

        var started = Assert.Single(h.Events.OfKind(EngineEventKind.SpeechStarted));
        var stopped = Assert.Single(h.Events.OfKind(EngineEventKind.SpeechStopped));
        AssertNear(feed.PositionOf(startS), started.Position, "speech start");
        AssertNear(feed.PositionOf(endS), stopped.Position, "speech stop");
        var committed = Assert.Single(h.Events.OfKind(EngineEventKind.UserTurnCommitted));
        var userText = Assert.Single(h.Events.OfKind(EngineEventKind.UserTranscript));
        Assert.False(string.IsNullOrEmpty(started.ItemId));
        Assert.All(new[] { stopped, committed, userText }, e => Assert.Equal(started.ItemId, e.ItemId));
        Assert.Equal(hint, userText.Text);

        var response = Assert.Single(h.Events.OfKind(EngineEventKind.ResponseStarted));
        Assert.Equal("completed", done.Status);
        Assert.False(string.IsNullOrEmpty(response.ResponseId));
        Assert.Equal(response.ResponseId, done.ResponseId);
        var chunks = h.Events.OfKind(EngineEventKind.AgentAudio);
        Assert.NotEmpty(chunks);
        var itemId = chunks[0].ItemId!;
        Assert.All(chunks, c => Assert.Equal((itemId, response.ResponseId), (c.ItemId, c.ResponseId)));
        var heard = chunks.SelectMany(c => c.Audio!).ToArray();
        var spoken = h.Simulator.Options.Synthesizer.SynthesizeMuLaw(reply);
        Assert.True(heard.Length > 0);
        Assert.True(spoken.AsSpan().SequenceEqual(heard),
            $"the engine must pass the provider's mu-law through byte for byte, in order: got {heard.Length} bytes, the simulator spoke {spoken.Length}");
        var agentText = Assert.Single(h.Events.OfKind(EngineEventKind.AgentTranscript));
        Assert.Equal((itemId, reply), (agentText.ItemId, agentText.Text));
        var audioDone = h.Events.OfKind(EngineEventKind.AgentAudioDone).First(e => e.ItemId == itemId);

        AssertInOrder(h.Events, h.Events.OfKind(EngineEventKind.Ready)[0], started, stopped, committed, response, chunks[0], chunks[^1], audioDone, done);
        Assert.All(h.Events.Events, e => Assert.Equal(1, e.Generation));
        Assert.DoesNotContain(h.Events.Events, e => e.Kind is EngineEventKind.Error or EngineEventKind.Closed);

        // The simulator handles client events in order, so once it acknowledges a truncation (at the
        // item's full length: the caller heard all of it) it has counted every append sent before.
        h.Engine.TruncateAssistant(itemId, CallClock.SamplesToMs(heard.Length));
        await h.Tap.WaitReceivedAsync("conversation.item.truncated", m => m.Root.GetProperty("item_id").GetString() == itemId);
        Assert.Equal(feed.BytesGiven, h.Engine.AppendedSamples);
        Assert.Equal(feed.BytesGiven, h.Session.ReceivedAudioBytes);
        Assert.Equal(1, h.Session.Responses);

        output.WriteLine($"measured: ready after {h.ReadyAfter.TotalMilliseconds:0} ms; {feed.BytesGiven} bytes fed; "
            + $"turn (last frame queued -> response.done) {turnTime.TotalMilliseconds:0} ms for {CallClock.SamplesToMs(heard.Length)} ms of reply audio in {chunks.Count} deltas; "
            + $"speech {started.Position - feed.PositionOf(startS):+0;-0} / {stopped.Position - feed.PositionOf(endS):+0;-0} samples from the manifest edges");
    }

    [Fact]
    public async Task Function_call_is_handed_over_and_the_next_response_speaks_the_tool_output()
    {
        var audio = CallerAudio.Load("booking-ulaw8k.wav");
        var (hint, _, endS) = audio.Utterances[0];
        Assert.Equal("Hello, I would like to book an appointment.", hint);
        var tool = new CheckAvailabilityTool();
        await using var h = await SimulatorHarness.StartAsync(output, tools: [tool.Definition]);
        h.Simulator.Control.AddTranscriptHints([hint]);

        h.Feed(audio).Until(endS + TrailingSilenceS);
        var call = await h.Events.WaitAsync(EngineEventKind.ToolCall);
        var first = await h.Events.WaitAsync(EngineEventKind.ResponseDone);

        Assert.Equal("check_availability", call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.False(string.IsNullOrEmpty(call.ItemId));
        using var arguments = JsonDocument.Parse(call.Arguments!);
        Assert.Equal("tomorrow", arguments.RootElement.GetProperty("day").GetString());
        Assert.Equal("completed", first.Status);
        Assert.True(h.Events.IndexOf(call) < h.Events.IndexOf(first), "the call item completes before its response");
        Assert.Empty(h.Events.OfKind(EngineEventKind.AgentAudio));

        var toolOutput = await tool.InvokeAsync(arguments.RootElement, dryRun: true, CancellationToken.None);
        using var parsedOutput = JsonDocument.Parse(toolOutput);
        var slots = parsedOutput.RootElement.GetProperty("slots").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.NotEmpty(slots);
        h.Engine.SubmitToolResult(call.CallId!, toolOutput);
        var second = await h.Events.WaitAsync(EngineEventKind.ResponseDone, occurrence: 2);

        Assert.Equal("completed", second.Status);
        Assert.NotEqual(first.ResponseId, second.ResponseId);
        var agentText = Assert.Single(h.Events.OfKind(EngineEventKind.AgentTranscript));
        Assert.All(slots, slot => Assert.Contains(slot, agentText.Text));
        Assert.Contains(h.Events.OfKind(EngineEventKind.AgentAudio), e => e.ItemId == agentText.ItemId && e.ResponseId == second.ResponseId);
        Assert.Equal(2, h.Events.OfKind(EngineEventKind.ResponseStarted).Count);
        Assert.Equal(2, h.Session.Responses);
        Assert.Empty(h.Events.OfKind(EngineEventKind.Error));

        // On the wire: the output as a function_call_output item for that call, then response.create.
        var sent = h.Tap.Sent;
        var outputIndex = sent.ToList().FindIndex(m => m.Type == "conversation.item.create"
            && m.Root.GetProperty("item").GetProperty("type").GetString() == "function_call_output");
        Assert.True(outputIndex >= 0, "no function_call_output was sent");
        var item = sent[outputIndex].Root.GetProperty("item");
        Assert.Equal((call.CallId, toolOutput), (item.GetProperty("call_id").GetString(), item.GetProperty("output").GetString()));
        Assert.Equal("response.create", sent.Skip(outputIndex + 1).First(m => m.Type != "input_audio_buffer.append").Type);
    }

    [Fact]
    public async Task Barge_in_cancels_the_response_and_the_provider_accepts_the_truncation()
    {
        var audio = CallerAudio.Load("hours-pcm16k.wav");
        var (hint1, _, end1) = audio.Utterances[0];
        var (hint2, start2, end2) = audio.Utterances[1];

        // Deltas at real-time pace (100 ms of audio every 100 ms, as some providers send), so the
        // ~4 s reply stays in flight long enough for the barge-in to surely land inside it.
        await using var h = await SimulatorHarness.StartAsync(output, new SimulatorOptions { DeltaInterval = TimeSpan.FromMilliseconds(100) });
        h.Simulator.Control.AddTranscriptHints([hint1, hint2]);
        var feed = h.Feed(audio);
        feed.Until(end1 + TrailingSilenceS);
        var firstAudio = await h.Events.WaitAsync(EngineEventKind.AgentAudio);
        var itemId = firstAudio.ItemId!;

        feed.Until(start2 + 0.3); // the caller talks over the reply
        var bargeIn = await h.Events.WaitAsync(EngineEventKind.SpeechStarted, occurrence: 2);
        var cancelled = await h.Events.WaitAsync(EngineEventKind.ResponseDone);

        AssertNear(feed.PositionOf(start2), bargeIn.Position, "barge-in speech start");
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Contains("turn_detected", cancelled.Text);
        Assert.Equal(firstAudio.ResponseId, cancelled.ResponseId);
        Assert.True(h.Events.IndexOf(bargeIn) < h.Events.IndexOf(cancelled), "speech_started comes before the cancelled response.done");
        var itemClosed = h.Events.OfKind(EngineEventKind.AgentAudioDone).Where(e => e.ItemId == itemId).ToList();
        Assert.NotEmpty(itemClosed); // playout learns the interrupted item has ended
        Assert.DoesNotContain(h.Events.Events.Skip(h.Events.IndexOf(cancelled)), e => e.Kind == EngineEventKind.AgentAudio && e.ItemId == itemId);

        // The interrupted item's transcript still comes (the API emits output_audio_transcript.done for
        // cancelled responses too): the call needs the words to estimate what the caller heard.
        var cutText = Assert.Single(h.Events.OfKind(EngineEventKind.AgentTranscript), e => e.ItemId == itemId);
        Assert.Equal(SimulatorScript.Default.Answer(hint1).Reply, cutText.Text);
        Assert.True(h.Events.IndexOf(cutText) < h.Events.IndexOf(cancelled), "the transcript comes before response.done");

        h.Engine.TruncateAssistant(itemId, 200);
        var truncated = await h.Tap.WaitReceivedAsync("conversation.item.truncated", m => m.Root.GetProperty("item_id").GetString() == itemId);
        Assert.Equal(200, truncated.Root.GetProperty("audio_end_ms").GetInt32());
        Assert.Equal(0, truncated.Root.GetProperty("content_index").GetInt32());

        // The conversation goes on: the rest of the utterance is a turn that gets its answer.
        feed.Until(end2 + TrailingSilenceS);
        var answer = await h.Events.WaitAsync(EngineEventKind.ResponseDone, occurrence: 2);
        Assert.Equal("completed", answer.Status);
        Assert.Equal([hint1, hint2], h.Events.OfKind(EngineEventKind.UserTranscript).Select(e => e.Text));
        var agentText = Assert.Single(h.Events.OfKind(EngineEventKind.AgentTranscript), e => e.ItemId != itemId);
        Assert.Equal(SimulatorScript.Default.Answer(hint2).Reply, agentText.Text);
        Assert.Empty(h.Events.OfKind(EngineEventKind.Error));
        Assert.Equal(2, h.Session.Responses);

        var interruptedMs = CallClock.SamplesToMs(h.Events.OfKind(EngineEventKind.AgentAudio).Where(e => e.ItemId == itemId).Sum(e => e.Audio!.Length));
        output.WriteLine($"measured: {interruptedMs} ms of the interrupted reply had arrived when it was cancelled");
    }

    private static void AssertNear(long expected, long actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= EdgeTolerance,
            $"{what} at call position {actual}, expected {expected} +- {EdgeTolerance} (off by {CallClock.SamplesToMsExact(actual - expected):0.#} ms)");

    private static void AssertInOrder(EngineEventRecorder recorder, params EngineEvent[] expected)
    {
        var indexes = expected.Select(recorder.IndexOf).ToList();
        Assert.DoesNotContain(-1, indexes);
        Assert.True(indexes.SequenceEqual(indexes.Order()),
            $"events out of order: {string.Join(", ", expected.Zip(indexes, (e, i) => $"{e.Kind}#{i}"))}");
    }
}
