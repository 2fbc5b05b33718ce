using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>Server events shaped like the OpenAI GA reference (with the extra fields the parser must skip), and beta names.</summary>
public sealed class RealtimeServerSampleTests
{
    [Fact]
    public void SessionCreated()
    {
        var parsed = Wire.Server("""
            {"type":"session.created","event_id":"event_C9G5RJeJ2gF77mV7f2B1j","session":{"type":"realtime","object":"realtime.session",
            "id":"sess_C9G5QPteg4UIbotdKLoYQ","model":"gpt-realtime-2025-08-28","output_modalities":["audio"],
            "instructions":"Your knowledge cutoff is 2023-10.","tools":[],"tool_choice":"auto","max_output_tokens":"inf",
            "tracing":null,"prompt":null,"expires_at":1756324625,"include":null,"truncation":"auto",
            "audio":{"input":{"format":{"type":"audio/pcm","rate":24000},"transcription":null,"noise_reduction":null,
            "turn_detection":{"type":"server_vad","threshold":0.5,"prefix_padding_ms":300,"silence_duration_ms":200,
            "idle_timeout_ms":null,"create_response":true,"interrupt_response":true}},
            "output":{"format":{"type":"audio/pcm","rate":24000},"voice":"marin","speed":1}}}}
            """);

        Assert.Equal(RealtimeServerEventType.SessionCreated, parsed.Type);
        Assert.Equal("event_C9G5RJeJ2gF77mV7f2B1j", parsed.EventId);
        var session = parsed.Session!;
        Assert.Equal("Your knowledge cutoff is 2023-10.", session.Instructions);
        Assert.Equal(RealtimeAudioFormat.Pcm24k, session.InputFormat);
        Assert.Equal("marin", session.Voice);
        Assert.Null(session.TranscriptionModel);
        Assert.Equal(200, session.TurnDetection!.SilenceDurationMs);
        Assert.Empty(session.Tools);
    }

    [Fact]
    public void InputBufferAndTranscription()
    {
        var started = Wire.Server("""{"type":"input_audio_buffer.speech_started","event_id":"event_1","audio_start_ms":1000,"item_id":"item_003"}""");
        var committed = Wire.Server("""{"event_id":"event_2","type":"input_audio_buffer.committed","previous_item_id":null,"item_id":"item_003"}""");
        var transcribed = Wire.Server("""
            {"type":"conversation.item.input_audio_transcription.completed","event_id":"event_3","item_id":"item_003",
            "content_index":0,"transcript":"Hello, how are you?","logprobs":null,
            "usage":{"type":"tokens","total_tokens":22,"input_tokens":13,"input_token_details":{"text_tokens":0,"audio_tokens":13},"output_tokens":9}}
            """);
        var failed = Wire.Server("""
            {"type":"conversation.item.input_audio_transcription.failed","event_id":"event_4","item_id":"item_003","content_index":0,
            "error":{"type":"transcription_error","code":"audio_unintelligible","message":"The audio could not be transcribed.","param":null}}
            """);

        Assert.Equal((1000, "item_003"), (started.AudioStartMs, started.ItemId));
        Assert.Equal(("item_003", null), (committed.ItemId, committed.PreviousItemId));
        Assert.Equal("Hello, how are you?", transcribed.Transcript);
        Assert.Equal("The audio could not be transcribed.", failed.Error!.Message);
        Assert.Equal("audio_unintelligible", failed.Error.Code);
    }

    [Fact]
    public void ConversationItemAddedWithAudioContent()
    {
        var parsed = Wire.Server("""
            {"type":"conversation.item.added","event_id":"event_5","previous_item_id":"item_002",
            "item":{"id":"item_003","type":"message","object":"realtime.item","status":"completed","role":"user",
            "content":[{"type":"input_audio","transcript":null,"audio":null,"format":"pcm16"}]}}
            """);

        Assert.Equal(RealtimeServerEventType.ConversationItemAdded, parsed.Type);
        Assert.Equal(
            new RealtimeItem { Id = "item_003", Type = RealtimeItemType.Message, Role = RealtimeRole.User, Status = "completed", ContentType = RealtimeContentType.InputAudio },
            parsed.Item);
    }

    [Fact]
    public void ResponseStreamEvents()
    {
        var created = Wire.Server("""
            {"type":"response.created","event_id":"event_6","response":{"object":"realtime.response","id":"resp_001",
            "status":"in_progress","status_details":null,"output":[],"conversation_id":"conv_001","output_modalities":["audio"],
            "max_output_tokens":"inf","audio":{"output":{"format":{"type":"audio/pcmu"},"voice":"marin"}},"usage":null,"metadata":null}}
            """);
        var itemAdded = Wire.Server("""
            {"type":"response.output_item.added","event_id":"event_7","response_id":"resp_001","output_index":0,
            "item":{"id":"item_004","type":"message","object":"realtime.item","status":"in_progress","role":"assistant","content":[]}}
            """);
        var part = Wire.Server("""
            {"type":"response.content_part.added","event_id":"event_8","response_id":"resp_001","item_id":"item_004",
            "output_index":0,"content_index":0,"part":{"type":"audio","transcript":""}}
            """);
        var audio = Wire.Server("""
            {"type":"response.output_audio.delta","event_id":"event_9","response_id":"resp_001","item_id":"item_004",
            "output_index":0,"content_index":0,"delta":"AAECAwQ=","obfuscation":"x1"}
            """);
        var transcript = Wire.Server("""
            {"type":"response.output_audio_transcript.delta","event_id":"event_10","response_id":"resp_001","item_id":"item_004",
            "output_index":0,"content_index":0,"delta":"Hello","obfuscation":"abc"}
            """);
        var args = Wire.Server("""
            {"type":"response.function_call_arguments.done","event_id":"event_11","response_id":"resp_002","item_id":"item_005",
            "output_index":0,"call_id":"call_001","name":"lookup_order","arguments":"{\"order_id\":\"42\"}"}
            """);

        Assert.Equal(("resp_001", RealtimeResponseStatus.InProgress), (created.Response!.Id, created.Response.Status));
        Assert.Equal((RealtimeItemType.Message, RealtimeRole.Assistant, "in_progress"), (itemAdded.Item!.Type, itemAdded.Item.Role, itemAdded.Item.Status));
        Assert.Null(itemAdded.Item.ContentType);
        Assert.Equal(RealtimeServerEventType.ResponseContentPartAdded, part.Type);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, audio.Audio.ToArray());
        Assert.Equal("Hello", transcript.Delta);
        Assert.Equal(("call_001", "lookup_order", """{"order_id":"42"}"""), (args.CallId, args.Name, args.Arguments));
    }

    [Fact]
    public void ResponseDoneCompletedWithOutputSummary()
    {
        var parsed = Wire.Server("""
            {"type":"response.done","event_id":"event_12","response":{"object":"realtime.response","id":"resp_001","status":"completed",
            "status_details":null,"conversation_id":"conv_001","output_modalities":["audio"],"metadata":null,
            "output":[{"id":"item_004","type":"message","object":"realtime.item","status":"completed","role":"assistant",
            "content":[{"type":"output_audio","transcript":"Hi there! How can I help?"}]},
            {"id":"item_005","type":"function_call","object":"realtime.item","status":"completed","name":"lookup_order",
            "call_id":"call_001","arguments":"{}"}],
            "usage":{"total_tokens":253,"input_tokens":132,"output_tokens":121,
            "input_token_details":{"text_tokens":119,"audio_tokens":13,"image_tokens":0,"cached_tokens":64,"cached_tokens_details":{"text_tokens":64,"audio_tokens":0}},
            "output_token_details":{"text_tokens":30,"audio_tokens":91}}}}
            """);

        var response = parsed.Response!;
        Assert.Equal(RealtimeResponseStatus.Completed, response.Status);
        Assert.Null(response.StatusDetails);
        Assert.Equal(2, response.Output.Count);
        Assert.Equal((RealtimeContentType.OutputAudio, "Hi there! How can I help?"), (response.Output[0].ContentType, response.Output[0].Text));
        Assert.Equal((RealtimeItemType.FunctionCall, "call_001", "lookup_order", "{}"), (response.Output[1].Type, response.Output[1].CallId, response.Output[1].Name, response.Output[1].Arguments));
    }

    [Fact]
    public void ResponseDoneCancelledAndFailed()
    {
        var cancelled = Wire.Server("""
            {"type":"response.done","event_id":"e","response":{"id":"resp_1","status":"cancelled",
            "status_details":{"type":"cancelled","reason":"turn_detected"},"output":[],"usage":{"total_tokens":0}}}
            """);
        var failed = Wire.Server("""
            {"type":"response.done","event_id":"e","response":{"id":"resp_2","status":"failed",
            "status_details":{"type":"failed","error":{"type":"server_error","code":"internal_error","message":"Oops"}},"output":[]}}
            """);
        var odd = Wire.Server("""{"type":"response.done","response":{"id":"resp_3","status":"paused","output":null}}""");

        Assert.Equal(new RealtimeStatusDetails("cancelled", "turn_detected"), cancelled.Response!.StatusDetails);
        Assert.Equal(RealtimeResponseStatus.Failed, failed.Response!.Status);
        Assert.Equal(new RealtimeStatusDetails("failed", null, "server_error", "internal_error", "Oops"), failed.Response.StatusDetails);
        Assert.Equal(RealtimeResponseStatus.Unknown, odd.Response!.Status);
        Assert.Empty(odd.Response.Output);
    }

    [Fact]
    public void RateLimitsAndError()
    {
        var limits = Wire.Server("""
            {"type":"rate_limits.updated","event_id":"event_13","rate_limits":[
            {"name":"requests","limit":1000,"remaining":999,"reset_seconds":60},{"name":"tokens","limit":50000,"remaining":49950,"reset_seconds":0.06}]}
            """);
        var error = Wire.Server("""
            {"type":"error","event_id":"event_14","error":{"type":"invalid_request_error","code":"invalid_event",
            "message":"The 'type' field is missing.","param":null,"event_id":"event_567"}}
            """);

        Assert.Equal([new RealtimeRateLimit("requests", 1000, 999, 60), new RealtimeRateLimit("tokens", 50000, 49950, 0.06)], limits.RateLimits);
        Assert.Equal(new RealtimeError("invalid_request_error", "invalid_event", "The 'type' field is missing.", null, "event_567"), error.Error);
    }

    [Theory]
    [InlineData("conversation.item.created", RealtimeServerEventType.ConversationItemAdded)]
    [InlineData("response.audio.delta", RealtimeServerEventType.ResponseOutputAudioDelta)]
    [InlineData("response.audio.done", RealtimeServerEventType.ResponseOutputAudioDone)]
    [InlineData("response.audio_transcript.delta", RealtimeServerEventType.ResponseOutputAudioTranscriptDelta)]
    [InlineData("response.audio_transcript.done", RealtimeServerEventType.ResponseOutputAudioTranscriptDone)]
    public void BetaNamesMapToGaTypes(string betaName, RealtimeServerEventType expected)
    {
        var parsed = Wire.Server($$$"""
            {"type":"{{{betaName}}}","event_id":"e","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,
            "delta":"AAA=","transcript":"t","previous_item_id":null,
            "item":{"id":"item_1","object":"realtime.item","type":"message","status":"in_progress","role":"assistant","content":[{"type":"audio","transcript":"t"}]}}
            """);

        Assert.Equal(expected, parsed.Type);
        Assert.Equal(betaName, parsed.TypeName);
    }

    [Fact]
    public void BetaAudioContentPartReadsAsOutputAudio()
    {
        var parsed = Wire.Server("""
            {"type":"conversation.item.created","item":{"id":"i","type":"message","role":"assistant","content":[{"type":"audio","transcript":"Hi"}]}}
            """);

        Assert.Equal((RealtimeContentType.OutputAudio, "Hi"), (parsed.Item!.ContentType, parsed.Item.Text));
    }

    [Fact]
    public void UnknownTypesAreKeptNotRejected()
    {
        var parsed = Wire.Server("""
            {"type":"response.mcp_call.in_progress","event_id":"event_15","item":7,"delta":{"odd":[1,2,{"x":null}]}}
            """);

        Assert.Equal(RealtimeServerEventType.Unknown, parsed.Type);
        Assert.Equal("response.mcp_call.in_progress", parsed.TypeName);
        Assert.Equal("event_15", parsed.EventId);
    }

    [Fact]
    public void TypeNeedNotComeFirstAndEscapesAreHonoured()
    {
        var parsed = Wire.Server("""
            {"delta":"+\/8A\u0041Q==","event_id":"e\u0031","output_index":3,"type":"response.output\u005faudio.delta","unknown":{"deep":[[[]]]}}
            """);

        Assert.Equal(RealtimeServerEventType.ResponseOutputAudioDelta, parsed.Type);
        Assert.Equal("response.output_audio.delta", parsed.TypeName);
        Assert.Equal(new byte[] { 0xfb, 0xff, 0x00, 0x01 }, parsed.Audio.ToArray());
        Assert.Equal(("e1", 3), (parsed.EventId, parsed.OutputIndex));
    }
}
