using VoiceBridge.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Cascade;

/// <summary>The cascade engine with scripted stages, on a fake clock: turn detection, reprompts, tools, barge-in, history.</summary>
public sealed class CascadeEngineTests
{
    private static readonly ToolDefinition Tool = new("check_availability", "Free slots for a day.", """{"type":"object","properties":{"day":{"type":"string"}}}""");

    [Fact]
    public void A_turn_is_detected_transcribed_answered_and_spoken_sentence_by_sentence()
    {
        var chat = new RecordingChatClient(_ => [new TextContent("We open at eight. We close at six.")]);
        var (events, stt) = Run(chat, [new SpeechTranscript("what are your opening hours", true, 0.9)], Signal.Silence(200), Signal.Tone(1000), Signal.Silence(1500));

        var kinds = events.Events.Select(e => e.Kind).Where(k => k is not (EngineEventKind.AgentAudio or EngineEventKind.AgentTranscriptDelta)).ToList();
        Assert.Equal(
            [EngineEventKind.Ready, EngineEventKind.SpeechStarted, EngineEventKind.SpeechStopped, EngineEventKind.UserTurnCommitted,
             EngineEventKind.UserTranscript, EngineEventKind.ResponseStarted, EngineEventKind.AgentAudioDone,
             EngineEventKind.AgentTranscript, EngineEventKind.ResponseDone],
            kinds);
        var stopped = events.Of(EngineEventKind.SpeechStopped).Single();
        Assert.InRange(stopped.Position, 1200 * 8 - 160, 1200 * 8 + 160);
        Assert.Equal(2, events.Of(EngineEventKind.AgentAudio).Count());
        Assert.Equal("We open at eight. We close at six.", events.Of(EngineEventKind.AgentTranscript).Single().Text);

        // Each sentence's words are posted as the TTS makes audio for it, before that audio: a reply cut off keeps the words said.
        Assert.Equal("We open at eight. We close at six. ", string.Concat(events.Of(EngineEventKind.AgentTranscriptDelta).Select(e => e.Text)));
        var first = events.Events.FindIndex(e => e.Kind == EngineEventKind.AgentTranscriptDelta);
        Assert.True(first < events.Events.FindIndex(e => e.Kind == EngineEventKind.AgentAudio), "the first words come before the first audio");
        Assert.Equal("completed", events.Of(EngineEventKind.ResponseDone).Single().Status);
        Assert.Equal("what are your opening hours", chat.Requests.Single()[^1].Text);
        Assert.Equal(2700 * 8, stt.AudioBytes);
    }

    [Fact]
    public void A_low_confidence_transcript_makes_the_agent_ask_again_instead_of_answering_it()
    {
        var chat = new RecordingChatClient(h => [new TextContent(h[^1].Text == "[unrecognised]" ? "Sorry, could you say that again?" : "Booked.")]);
        var (events, _) = Run(chat, [new SpeechTranscript("book me for friday", true, 0.2)], Signal.Tone(1000), Signal.Silence(1500));

        Assert.Equal("book me for friday", events.Of(EngineEventKind.UserTranscript).Single().Text);
        Assert.Equal("[unrecognised]", chat.Requests.Single()[^1].Text);
        Assert.Equal("Sorry, could you say that again?", events.Of(EngineEventKind.AgentTranscript).Single().Text);
    }

    [Fact]
    public void No_final_transcript_within_the_timeout_is_a_stalled_stage_the_turn_is_left_to_the_call_s_response_stall()
    {
        var chat = new RecordingChatClient(_ => [new TextContent("Sorry?")]);
        var (events, _) = Run(chat, [null], Signal.Tone(1000), Signal.Silence(3000));

        // Asking again would only ask a deaf stage: nothing is answered, and the call session's
        // response-stall trigger hands the call on (an empty final, by contrast, is answered with a reprompt).
        Assert.Contains("stalled", Assert.Single(events.Of(EngineEventKind.UserTranscriptFailed)).Text);
        Assert.Empty(events.Of(EngineEventKind.UserTranscript));
        Assert.Empty(chat.Requests);
        Assert.Empty(events.Of(EngineEventKind.ResponseStarted));
    }

    [Fact]
    public void An_empty_final_transcript_is_answered_with_a_reprompt()
    {
        var chat = new RecordingChatClient(h => [new TextContent(h[^1].Text == "[unrecognised]" ? "Sorry?" : "Booked.")]);
        var (events, _) = Run(chat, [new SpeechTranscript("", true, null)], Signal.Tone(1000), Signal.Silence(1500));

        Assert.Equal("[unrecognised]", chat.Requests.Single()[^1].Text);
        Assert.Equal("Sorry?", events.Of(EngineEventKind.AgentTranscript).Single().Text);
    }

    [Fact]
    public void A_function_call_goes_to_the_call_session_and_its_result_gets_a_spoken_answer()
    {
        var chat = new RecordingChatClient(h => h[^1].Role == ChatRole.Tool
            ? [new TextContent("We have ten o'clock.")]
            : [new FunctionCallContent("call-1", "check_availability", new Dictionary<string, object?> { ["day"] = "friday" })]);
        var time = NewTime();
        var events = new EventLog();
        var engine = NewEngine(chat, new ScriptedSpeechToText(new SpeechTranscript("book friday", true, 0.9)), time);
        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), async () =>
        {
            await engine.StartAsync(new EngineStart(1, new Conversation("be brief"), [Tool], events), CancellationToken.None);
            await Feed(engine, time, Signal.Tone(1000), Signal.Silence(1000));
            var call = events.Of(EngineEventKind.ToolCall).Single();
            Assert.Equal("check_availability", call.Name);
            Assert.Equal("""{"day":"friday"}""", call.Arguments);
            engine.SubmitToolResult(call.CallId!, """{"slots":["10:00"]}""");
            await time.Elapse(TimeSpan.FromSeconds(1));
            await engine.DisposeAsync();
            return 0;
        });

        Assert.Equal(2, chat.Requests.Count);
        var result = chat.Requests[1][^1].Contents.OfType<FunctionResultContent>().Single();
        Assert.Equal("call-1", result.CallId);
        Assert.Contains(chat.Requests[1], m => m.Contents.OfType<FunctionCallContent>().Any(c => c.CallId == "call-1"));
        Assert.Equal("We have ten o'clock.", events.Of(EngineEventKind.AgentTranscript).Single().Text);
    }

    [Fact]
    public void The_caller_talking_over_a_reply_being_generated_cancels_it()
    {
        var time = NewTime();
        var chat = new RecordingChatClient(_ => [new TextContent("one two three four five six seven eight nine ten eleven twelve")], time, TimeSpan.FromMilliseconds(200));
        var (events, _) = Run(chat, [new SpeechTranscript("hello", true, 0.9), new SpeechTranscript("stop", true, 0.9)], time,
            Signal.Tone(1000), Signal.Silence(700), Signal.Tone(800), Signal.Silence(4000));

        var done = events.Of(EngineEventKind.ResponseDone).Select(e => e.Status).ToList();
        Assert.Equal("cancelled", done[0]);
        Assert.Equal("completed", done[^1]);
        Assert.Equal(2, events.Of(EngineEventKind.SpeechStarted).Count());
    }

    [Fact]
    public void A_conversation_carried_over_from_another_engine_seeds_the_history_in_order()
    {
        var conversation = new Conversation("You are the receptionist.");
        conversation.Add(new ConversationTurn { Role = TurnRole.User, Engine = "openai-realtime", Text = "My name is Maria Lopez.", StartMs = 100 });
        conversation.Add(new ConversationTurn { Role = TurnRole.Assistant, Engine = "openai-realtime", Text = "Thank you Maria. Anything else I can do today?", HeardText = "Thank you Maria.", StartMs = 2000 });
        conversation.AddToolCall(new ToolCallRecord("c1", "check_availability", """{"day":"friday"}""", """{"slots":["10:00"]}""", "openai-realtime", 3000));
        conversation.Add(new ConversationTurn { Role = TurnRole.User, Engine = "openai-realtime", Text = "Friday works.", StartMs = 4000 });

        var history = ConversationMessages.From(conversation).ToList();

        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.Assistant, ChatRole.Tool, ChatRole.User], history.Select(m => m.Role));
        Assert.Equal("Thank you Maria.", history[2].Text);
        Assert.Equal("c1", history[3].Contents.OfType<FunctionCallContent>().Single().CallId);
        Assert.Equal("Friday works.", history[5].Text);
    }

    private static FakeTimeProvider NewTime() => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static CascadeEngine NewEngine(IChatClient chat, ISpeechToText stt, TimeProvider time) => new(
        new CascadeEngineOptions(), () => stt, chat, new EspeakTextToSpeech(new ToneSynthesizer()), time, NullLogger<CascadeEngine>.Instance);

    private static (EventLog Events, ScriptedSpeechToText Stt) Run(IChatClient chat, SpeechTranscript?[] finals, params short[][] audio) =>
        Run(chat, finals, NewTime(), audio);

    private static (EventLog Events, ScriptedSpeechToText Stt) Run(IChatClient chat, SpeechTranscript?[] finals, FakeTimeProvider time, params short[][] audio)
    {
        var events = new EventLog();
        var stt = new ScriptedSpeechToText(finals);
        var engine = NewEngine(chat, stt, time);
        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), async () =>
        {
            await engine.StartAsync(new EngineStart(1, new Conversation("be brief"), [Tool], events), CancellationToken.None);
            await Feed(engine, time, audio);
            await engine.DisposeAsync();
            return 0;
        });
        return (events, stt);
    }

    /// <summary>Feeds audio as 20 ms frames in real (virtual) time.</summary>
    private static async Task Feed(CascadeEngine engine, TimeProvider time, params short[][] audio)
    {
        var mulaw = Signal.MuLaw(audio);
        for (var position = 0; position < mulaw.Length; position += CallClock.FrameSamples)
        {
            engine.SendCallerAudio(position, mulaw.AsSpan(position, CallClock.FrameSamples));
            await time.Elapse(TimeSpan.FromMilliseconds(CallClock.FrameMs));
        }
    }
}
