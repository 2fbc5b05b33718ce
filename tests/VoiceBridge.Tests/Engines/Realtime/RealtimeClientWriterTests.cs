using System.Buffers;
using System.Text;
using System.Text.Json;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Tests.Engines.Realtime;

public sealed class RealtimeClientWriterTests
{
    [Fact]
    public void SessionUpdateHasTheGaShape()
    {
        var config = new RealtimeSessionConfig { Instructions = "Hola, ¿qué tal? <b>", Tools = [Wire.LookupTool] };

        var root = Wire.Json(w => RealtimeClientWriter.WriteSessionUpdate(w, config));

        Assert.Equal("session.update", root.GetProperty("type").GetString());
        Assert.False(root.TryGetProperty("event_id", out _));
        var session = root.GetProperty("session");
        Assert.Equal("realtime", session.GetProperty("type").GetString());
        Assert.Equal("Hola, ¿qué tal? <b>", session.GetProperty("instructions").GetString());
        Assert.Equal(["audio"], session.GetProperty("output_modalities").EnumerateArray().Select(e => e.GetString()));
        var input = session.GetProperty("audio").GetProperty("input");
        Assert.Equal("audio/pcmu", input.GetProperty("format").GetProperty("type").GetString());
        Assert.False(input.GetProperty("format").TryGetProperty("rate", out _));
        var turn = input.GetProperty("turn_detection");
        Assert.Equal("server_vad", turn.GetProperty("type").GetString());
        Assert.Equal(0.5, turn.GetProperty("threshold").GetDouble());
        Assert.Equal(300, turn.GetProperty("prefix_padding_ms").GetInt32());
        Assert.Equal(500, turn.GetProperty("silence_duration_ms").GetInt32());
        Assert.True(turn.GetProperty("create_response").GetBoolean());
        Assert.True(turn.GetProperty("interrupt_response").GetBoolean());
        Assert.Equal("gpt-4o-mini-transcribe", input.GetProperty("transcription").GetProperty("model").GetString());
        var output = session.GetProperty("audio").GetProperty("output");
        Assert.Equal("audio/pcmu", output.GetProperty("format").GetProperty("type").GetString());
        Assert.Equal("alloy", output.GetProperty("voice").GetString());
        var tool = Assert.Single(session.GetProperty("tools").EnumerateArray());
        Assert.Equal("function", tool.GetProperty("type").GetString());
        Assert.Equal("lookup_order", tool.GetProperty("name").GetString());
        Assert.Equal("Find an order by its number", tool.GetProperty("description").GetString());
        Assert.Equal("order_id", tool.GetProperty("parameters").GetProperty("required")[0].GetString());
        Assert.Equal("auto", session.GetProperty("tool_choice").GetString());
    }

    [Fact]
    public void SessionUpdateWritesPcm24kAndNullsForDisabledFeatures()
    {
        var config = new RealtimeSessionConfig
        {
            InputFormat = RealtimeAudioFormat.Pcm24k,
            OutputFormat = RealtimeAudioFormat.Pcma,
            TurnDetection = null,
            TranscriptionModel = null,
        };

        var root = Wire.Json(w => RealtimeClientWriter.WriteSessionUpdate(w, config, "evt_1"));

        Assert.Equal("evt_1", root.GetProperty("event_id").GetString());
        var session = root.GetProperty("session");
        Assert.False(session.TryGetProperty("instructions", out _));
        var input = session.GetProperty("audio").GetProperty("input");
        Assert.Equal("audio/pcm", input.GetProperty("format").GetProperty("type").GetString());
        Assert.Equal(24000, input.GetProperty("format").GetProperty("rate").GetInt32());
        Assert.Equal(JsonValueKind.Null, input.GetProperty("turn_detection").ValueKind);
        Assert.Equal(JsonValueKind.Null, input.GetProperty("transcription").ValueKind);
        Assert.Equal("audio/pcma", session.GetProperty("audio").GetProperty("output").GetProperty("format").GetProperty("type").GetString());
        Assert.Empty(session.GetProperty("tools").EnumerateArray());
    }

    [Fact]
    public void SemanticVadLeavesOutServerVadTuning()
    {
        var config = new RealtimeSessionConfig { TurnDetection = new() { Type = RealtimeVadType.SemanticVad, InterruptResponse = false } };

        var turn = Wire.Json(w => RealtimeClientWriter.WriteSessionUpdate(w, config))
            .GetProperty("session").GetProperty("audio").GetProperty("input").GetProperty("turn_detection");

        Assert.Equal("semantic_vad", turn.GetProperty("type").GetString());
        Assert.False(turn.TryGetProperty("threshold", out _));
        Assert.False(turn.TryGetProperty("silence_duration_ms", out _));
        Assert.False(turn.GetProperty("interrupt_response").GetBoolean());
    }

    [Fact]
    public void InvalidToolSchemaIsRejectedAndNothingIsCommitted()
    {
        var config = new RealtimeSessionConfig { Tools = [new RealtimeToolDefinition("broken", "d", "{not json")] };

        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => RealtimeClientWriter.WriteSessionUpdate(output, config));

        Assert.Equal(0, output.WrittenCount);
        RealtimeClientWriter.WriteInputAudioCommit(output);
        Assert.Equal("""{"type":"input_audio_buffer.commit"}""", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{not json")]
    public void ToolSchemaMustBeAJsonObject(string schema)
    {
        var config = new RealtimeSessionConfig { Tools = [new RealtimeToolDefinition("broken", "d", schema)] };

        var error = Assert.Throws<ArgumentException>(() => Wire.Build(w => RealtimeClientWriter.WriteSessionUpdate(w, config)));

        Assert.Contains("'broken'", error.Message);
    }

    [Fact]
    public void UnwritableItemsAreRejectedBeforeWriting()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => RealtimeClientWriter.WriteConversationItemCreate(output, new RealtimeItem { Type = RealtimeItemType.Unknown }));
        Assert.Throws<ArgumentException>(() => RealtimeClientWriter.WriteConversationItemCreate(output, new RealtimeItem { Type = RealtimeItemType.Message, Text = "x" }));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void AppendIsCompactAndBase64IsNotEscaped()
    {
        Assert.Equal(
            """{"type":"input_audio_buffer.append","audio":"+/8AAQ=="}""",
            Wire.Text(w => RealtimeClientWriter.WriteInputAudioAppend(w, [0xfb, 0xff, 0x00, 0x01])));
        Assert.Equal(
            """{"type":"input_audio_buffer.append","event_id":"evt_7","audio":""}""",
            Wire.Text(w => RealtimeClientWriter.WriteInputAudioAppend(w, [], "evt_7")));
    }

    [Fact]
    public void CommitAndClearCarryOnlyTheirType()
    {
        Assert.Equal("""{"type":"input_audio_buffer.commit"}""", Wire.Text(w => RealtimeClientWriter.WriteInputAudioCommit(w)));
        Assert.Equal(
            """{"type":"input_audio_buffer.clear","event_id":"evt_2"}""",
            Wire.Text(w => RealtimeClientWriter.WriteInputAudioClear(w, "evt_2")));
    }

    [Theory]
    [InlineData(RealtimeRole.User, "user", "input_text")]
    [InlineData(RealtimeRole.System, "system", "input_text")]
    [InlineData(RealtimeRole.Assistant, "assistant", "output_text")]
    public void MessageItemCreateUsesTheContentTypeOfTheRole(RealtimeRole role, string wireRole, string contentType)
    {
        var root = Wire.Json(w => RealtimeClientWriter.WriteConversationItemCreate(
            w, RealtimeItem.Message(role, "Hello there", "item_9"), "item_8", "evt_3"));

        Assert.Equal("conversation.item.create", root.GetProperty("type").GetString());
        Assert.Equal("evt_3", root.GetProperty("event_id").GetString());
        Assert.Equal("item_8", root.GetProperty("previous_item_id").GetString());
        var item = root.GetProperty("item");
        Assert.Equal("item_9", item.GetProperty("id").GetString());
        Assert.Equal("message", item.GetProperty("type").GetString());
        Assert.Equal(wireRole, item.GetProperty("role").GetString());
        Assert.False(item.TryGetProperty("object", out _));
        var part = Assert.Single(item.GetProperty("content").EnumerateArray());
        Assert.Equal(contentType, part.GetProperty("type").GetString());
        Assert.Equal("Hello there", part.GetProperty("text").GetString());
    }

    [Fact]
    public void FunctionItemsCarryCallFields()
    {
        var call = Wire.Json(w => RealtimeClientWriter.WriteConversationItemCreate(
            w, RealtimeItem.FunctionCall("call_1", "lookup_order", """{"order_id":"42"}""")));
        var result = Wire.Json(w => RealtimeClientWriter.WriteConversationItemCreate(
            w, RealtimeItem.FunctionCallOutput("call_1", """{"status":"shipped"}""")));

        Assert.False(call.TryGetProperty("previous_item_id", out _));
        Assert.Equal("function_call", call.GetProperty("item").GetProperty("type").GetString());
        Assert.Equal("call_1", call.GetProperty("item").GetProperty("call_id").GetString());
        Assert.Equal("lookup_order", call.GetProperty("item").GetProperty("name").GetString());
        Assert.Equal("""{"order_id":"42"}""", call.GetProperty("item").GetProperty("arguments").GetString());
        Assert.False(call.GetProperty("item").TryGetProperty("id", out _));
        Assert.Equal("function_call_output", result.GetProperty("item").GetProperty("type").GetString());
        Assert.Equal("call_1", result.GetProperty("item").GetProperty("call_id").GetString());
        Assert.Equal("""{"status":"shipped"}""", result.GetProperty("item").GetProperty("output").GetString());
    }

    [Fact]
    public void TruncateCarriesItemIndexAndCut()
    {
        var root = Wire.Json(w => RealtimeClientWriter.WriteConversationItemTruncate(w, "item_5", 0, 1234));

        Assert.Equal("conversation.item.truncate", root.GetProperty("type").GetString());
        Assert.Equal("item_5", root.GetProperty("item_id").GetString());
        Assert.Equal(0, root.GetProperty("content_index").GetInt32());
        Assert.Equal(1234, root.GetProperty("audio_end_ms").GetInt32());
    }

    [Fact]
    public void ResponseCreateAndCancel()
    {
        Assert.Equal("""{"type":"response.create"}""", Wire.Text(w => RealtimeClientWriter.WriteResponseCreate(w)));
        var response = Wire.Json(w => RealtimeClientWriter.WriteResponseCreate(w, "Say goodbye.")).GetProperty("response");
        Assert.Equal("Say goodbye.", response.GetProperty("instructions").GetString());
        Assert.Equal("audio", response.GetProperty("output_modalities")[0].GetString());
        Assert.Equal("""{"type":"response.cancel"}""", Wire.Text(w => RealtimeClientWriter.WriteResponseCancel(w)));
        Assert.Equal(
            """{"type":"response.cancel","event_id":"evt_4","response_id":"resp_1"}""",
            Wire.Text(w => RealtimeClientWriter.WriteResponseCancel(w, "resp_1", "evt_4")));
    }
}
