using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>Every server event the simulator builds is read back identically by the production parser.</summary>
public sealed class RealtimeServerRoundTripTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Session(bool created)
    {
        var config = new RealtimeSessionConfig
        {
            Instructions = "Be brief.",
            OutputFormat = RealtimeAudioFormat.Pcm24k,
            Voice = "cedar",
            Tools = [Wire.LookupTool],
        };

        var parsed = Wire.Server(w =>
        {
            if (created)
            {
                RealtimeServerWriter.WriteSessionCreated(w, "event_1", "sess_1", "gpt-realtime", config);
            }
            else
            {
                RealtimeServerWriter.WriteSessionUpdated(w, "event_1", "sess_1", "gpt-realtime", config);
            }
        });

        Assert.Equal(created ? RealtimeServerEventType.SessionCreated : RealtimeServerEventType.SessionUpdated, parsed.Type);
        Assert.Equal("event_1", parsed.EventId);
        Assert.Equal(config.Tools, parsed.Session!.Tools);
        Assert.Equal(config, parsed.Session with { Tools = config.Tools });
    }

    [Fact]
    public void Error()
    {
        var parsed = Wire.Server(w => RealtimeServerWriter.WriteError(
            w, "event_2", "invalid_request_error", "invalid_value", "Bad audio", "audio", "evt_client"));

        Assert.Equal(RealtimeServerEventType.Error, parsed.Type);
        Assert.Equal(new RealtimeError("invalid_request_error", "invalid_value", "Bad audio", "audio", "evt_client"), parsed.Error);
    }

    [Fact]
    public void InputBufferEvents()
    {
        var started = Wire.Server(w => RealtimeServerWriter.WriteSpeechStarted(w, "e1", 1500, "item_1"));
        var stopped = Wire.Server(w => RealtimeServerWriter.WriteSpeechStopped(w, "e2", 3200, "item_1"));
        var committed = Wire.Server(w => RealtimeServerWriter.WriteInputAudioCommitted(w, "e3", "item_1", "item_0"));
        var first = Wire.Server(w => RealtimeServerWriter.WriteInputAudioCommitted(w, "e4", "item_1", null));
        var cleared = Wire.Server(w => RealtimeServerWriter.WriteInputAudioCleared(w, "e5"));

        Assert.Equal((RealtimeServerEventType.InputAudioBufferSpeechStarted, 1500, "item_1"), (started.Type, started.AudioStartMs, started.ItemId));
        Assert.Equal((RealtimeServerEventType.InputAudioBufferSpeechStopped, 3200, "item_1"), (stopped.Type, stopped.AudioEndMs, stopped.ItemId));
        Assert.Equal((RealtimeServerEventType.InputAudioBufferCommitted, "item_1", "item_0"), (committed.Type, committed.ItemId, committed.PreviousItemId));
        Assert.Null(first.PreviousItemId);
        Assert.Equal(RealtimeServerEventType.InputAudioBufferCleared, cleared.Type);
        Assert.Equal("e5", cleared.EventId);
    }

    public static TheoryData<RealtimeItem> Items => new()
    {
        RealtimeItem.Message(RealtimeRole.Assistant, "Your order shipped.", "item_a") with
        {
            Status = "completed",
            ContentType = RealtimeContentType.OutputAudio,
        },
        new RealtimeItem { Id = "item_u", Type = RealtimeItemType.Message, Role = RealtimeRole.User, Status = "completed", ContentType = RealtimeContentType.InputAudio },
        new RealtimeItem { Id = "item_e", Type = RealtimeItemType.Message, Role = RealtimeRole.Assistant, Status = "in_progress" },
        RealtimeItem.FunctionCall("call_1", "lookup_order", """{"order_id":"42"}""", "item_f") with { Status = "completed" },
        RealtimeItem.FunctionCallOutput("call_1", "shipped", "item_o"),
    };

    [Theory]
    [MemberData(nameof(Items))]
    public void ConversationAndOutputItems(RealtimeItem item)
    {
        var added = Wire.Server(w => RealtimeServerWriter.WriteConversationItemAdded(w, "e1", item, "item_p"));
        var done = Wire.Server(w => RealtimeServerWriter.WriteConversationItemDone(w, "e2", item, null));
        var outputAdded = Wire.Server(w => RealtimeServerWriter.WriteOutputItemAdded(w, "e3", "resp_1", 2, item));
        var outputDone = Wire.Server(w => RealtimeServerWriter.WriteOutputItemDone(w, "e4", "resp_1", 2, item));

        Assert.Equal(RealtimeServerEventType.ConversationItemAdded, added.Type);
        Assert.Equal(item, added.Item);
        Assert.Equal("item_p", added.PreviousItemId);
        Assert.Equal(RealtimeServerEventType.ConversationItemDone, done.Type);
        Assert.Equal(item, done.Item);
        Assert.Equal(RealtimeServerEventType.ResponseOutputItemAdded, outputAdded.Type);
        Assert.Equal((item, "resp_1", 2), (outputAdded.Item, outputAdded.ResponseId, outputAdded.OutputIndex));
        Assert.Equal(RealtimeServerEventType.ResponseOutputItemDone, outputDone.Type);
        Assert.Equal(item, outputDone.Item);
    }

    [Fact]
    public void TruncatedAndTranscription()
    {
        var truncated = Wire.Server(w => RealtimeServerWriter.WriteConversationItemTruncated(w, "e1", "item_a", 0, 1800));
        var completed = Wire.Server(w => RealtimeServerWriter.WriteInputTranscriptionCompleted(w, "e2", "item_u", 0, "Where is my order?"));
        var failed = Wire.Server(w => RealtimeServerWriter.WriteInputTranscriptionFailed(w, "e3", "item_u", 0, "audio unintelligible"));

        Assert.Equal((RealtimeServerEventType.ConversationItemTruncated, "item_a", 0, 1800), (truncated.Type, truncated.ItemId, truncated.ContentIndex, truncated.AudioEndMs));
        Assert.Equal((RealtimeServerEventType.InputAudioTranscriptionCompleted, "item_u", "Where is my order?"), (completed.Type, completed.ItemId, completed.Transcript));
        Assert.Equal(RealtimeServerEventType.InputAudioTranscriptionFailed, failed.Type);
        Assert.Equal("item_u", failed.ItemId);
        Assert.Equal("audio unintelligible", failed.Error!.Message);
        Assert.Equal("transcription_error", failed.Error.Type);
    }

    [Fact]
    public void ContentPartsAndAudio()
    {
        var audio = Enumerable.Range(0, 480).Select(i => (byte)(255 - i)).ToArray();

        var partAdded = Wire.Server(w => RealtimeServerWriter.WriteContentPartAdded(w, "e1", "resp_1", "item_a", 0, 0));
        var delta = Wire.Server(w => RealtimeServerWriter.WriteOutputAudioDelta(w, "e2", "resp_1", "item_a", 1, 2, audio));
        var audioDone = Wire.Server(w => RealtimeServerWriter.WriteOutputAudioDone(w, "e3", "resp_1", "item_a", 1, 2));
        var partDone = Wire.Server(w => RealtimeServerWriter.WriteContentPartDone(w, "e4", "resp_1", "item_a", 0, 0, "Hi"));

        Assert.Equal(RealtimeServerEventType.ResponseContentPartAdded, partAdded.Type);
        Assert.Equal(RealtimeServerEventType.ResponseOutputAudioDelta, delta.Type);
        Assert.Equal(("resp_1", "item_a", 1, 2), (delta.ResponseId, delta.ItemId, delta.OutputIndex, delta.ContentIndex));
        Assert.Equal(audio, delta.Audio.ToArray());
        Assert.Equal("e2", delta.EventId);
        Assert.Equal((RealtimeServerEventType.ResponseOutputAudioDone, "item_a", 2), (audioDone.Type, audioDone.ItemId, audioDone.ContentIndex));
        Assert.Equal((RealtimeServerEventType.ResponseContentPartDone, "resp_1"), (partDone.Type, partDone.ResponseId));
    }

    [Fact]
    public void TranscriptAndFunctionArguments()
    {
        var transcriptDelta = Wire.Server(w => RealtimeServerWriter.WriteOutputAudioTranscriptDelta(w, "e1", "resp_1", "item_a", 0, 0, "Your or"));
        var transcriptDone = Wire.Server(w => RealtimeServerWriter.WriteOutputAudioTranscriptDone(w, "e2", "resp_1", "item_a", 0, 0, "Your order shipped."));
        var argsDelta = Wire.Server(w => RealtimeServerWriter.WriteFunctionCallArgumentsDelta(w, "e3", "resp_1", "item_f", 1, "call_1", """{"order"""));
        var argsDone = Wire.Server(w => RealtimeServerWriter.WriteFunctionCallArgumentsDone(w, "e4", "resp_1", "item_f", 1, "call_1", "lookup_order", """{"order_id":"42"}"""));

        Assert.Equal((RealtimeServerEventType.ResponseOutputAudioTranscriptDelta, "Your or"), (transcriptDelta.Type, transcriptDelta.Delta));
        Assert.Equal((RealtimeServerEventType.ResponseOutputAudioTranscriptDone, "Your order shipped."), (transcriptDone.Type, transcriptDone.Transcript));
        Assert.Equal((RealtimeServerEventType.ResponseFunctionCallArgumentsDelta, "call_1", "item_f", """{"order"""), (argsDelta.Type, argsDelta.CallId, argsDelta.ItemId, argsDelta.Delta));
        Assert.Equal(RealtimeServerEventType.ResponseFunctionCallArgumentsDone, argsDone.Type);
        Assert.Equal(("call_1", "lookup_order", """{"order_id":"42"}""", 1), (argsDone.CallId, argsDone.Name, argsDone.Arguments, argsDone.OutputIndex));
    }

    public static TheoryData<RealtimeResponse> Responses => new()
    {
        new RealtimeResponse("resp_1", RealtimeResponseStatus.InProgress, null, []),
        new RealtimeResponse("resp_2", RealtimeResponseStatus.Completed, null, [
            RealtimeItem.Message(RealtimeRole.Assistant, "Done.", "item_a") with { Status = "completed", ContentType = RealtimeContentType.OutputAudio },
            RealtimeItem.FunctionCall("call_1", "lookup_order", "{}", "item_f") with { Status = "completed" },
        ]),
        new RealtimeResponse("resp_3", RealtimeResponseStatus.Cancelled, new RealtimeStatusDetails("cancelled", "turn_detected"), []),
        new RealtimeResponse("resp_4", RealtimeResponseStatus.Failed, new RealtimeStatusDetails("failed", null, "server_error", "internal", "boom"), []),
        new RealtimeResponse("resp_5", RealtimeResponseStatus.Incomplete, new RealtimeStatusDetails("incomplete", "max_output_tokens"), []),
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void ResponseCreatedAndDone(RealtimeResponse response)
    {
        var created = Wire.Server(w => RealtimeServerWriter.WriteResponseCreated(w, "e1", response));
        var done = Wire.Server(w => RealtimeServerWriter.WriteResponseDone(w, "e2", response));

        Assert.Equal(RealtimeServerEventType.ResponseCreated, created.Type);
        Assert.Equal(RealtimeServerEventType.ResponseDone, done.Type);
        foreach (var parsed in new[] { created.Response!, done.Response! })
        {
            Assert.Equal((response.Id, response.Status, response.StatusDetails), (parsed.Id, parsed.Status, parsed.StatusDetails));
            Assert.Equal(response.Output, parsed.Output);
        }
    }

    [Fact]
    public void RateLimits()
    {
        RealtimeRateLimit[] limits = [new("requests", 1000, 999, 0.06), new("tokens", 50000, 49000, 1.5)];

        var parsed = Wire.Server(w => RealtimeServerWriter.WriteRateLimitsUpdated(w, "e1", limits));

        Assert.Equal(RealtimeServerEventType.RateLimitsUpdated, parsed.Type);
        Assert.Equal(limits, parsed.RateLimits);
    }
}
