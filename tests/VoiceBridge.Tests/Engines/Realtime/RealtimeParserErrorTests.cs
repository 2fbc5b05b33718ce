using System.Text;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>Bad input at both parsers: false with a message naming the event type and field, never an exception.</summary>
public sealed class RealtimeParserErrorTests
{
    [Theory]
    [InlineData("not json", "event: malformed JSON")]
    [InlineData("", "event: malformed JSON")]
    [InlineData("""{"type":"response.output_audio.delta","delta":"AAA""", "response.output_audio.delta: malformed JSON")]
    [InlineData("""[{"type":"error"}]""", "event: expected a JSON object, found an array")]
    [InlineData("null", "event: expected a JSON object, found null")]
    [InlineData("""{"event_id":"e1"}""", "event: missing required field 'type'")]
    [InlineData("""{"type":5}""", "event: field 'type' must be a string, found a number")]
    [InlineData("""{"type":"input_audio_buffer.cleared"} {}""", "input_audio_buffer.cleared: malformed JSON")]
    [InlineData("""{"type":"input_audio_buffer.speech_started","audio_start_ms":"12"}""",
        "input_audio_buffer.speech_started: field 'audio_start_ms' must be a 32-bit integer, found a string")]
    [InlineData("""{"type":"conversation.item.truncated","audio_end_ms":1.5}""",
        "conversation.item.truncated: field 'audio_end_ms' must be a 32-bit integer, found a number")]
    [InlineData("""{"type":"response.output_audio.delta","delta":"@@@@"}""", "response.output_audio.delta: field 'delta' is not valid base64")]
    [InlineData("""{"type":"response.output_audio.delta","delta":42}""", "response.output_audio.delta: field 'delta' must be a string, found a number")]
    [InlineData("""{"type":"response.output_audio.delta","item_id":"i"}""", "response.output_audio.delta: missing required field 'delta'")]
    [InlineData("""{"type":"response.output_audio_transcript.delta","delta":null}""", "response.output_audio_transcript.delta: missing required field 'delta'")]
    [InlineData("""{"type":"response.done","response":{"status":7}}""", "response.done: field 'response.status' must be a string, found a number")]
    [InlineData("""{"type":"response.done","response":{"output":[1]}}""", "response.done: field 'response.output[]' must be an object, found a number")]
    [InlineData("""{"type":"response.done","response":{"status_details":{"error":"x"}}}""",
        "response.done: field 'response.status_details.error' must be an object, found a string")]
    [InlineData("""{"type":"response.done"}""", "response.done: missing required field 'response'")]
    [InlineData("""{"type":"conversation.item.added","item":{"role":"robot"}}""",
        "conversation.item.added: field 'item.role' must be system, user or assistant, found 'robot'")]
    [InlineData("""{"type":"conversation.item.done","item":{"content":[{"text":false}]}}""",
        "conversation.item.done: field 'item.content[].text' must be a string, found a boolean")]
    [InlineData("""{"type":"error","error":"boom"}""", "error: field 'error' must be an object, found a string")]
    [InlineData("""{"type":"rate_limits.updated","rate_limits":[{"limit":1}]}""", "rate_limits.updated: missing required field 'rate_limits[].name'")]
    [InlineData("""{"type":"rate_limits.updated","rate_limits":{}}""", "rate_limits.updated: field 'rate_limits' must be an array, found an object")]
    [InlineData("""{"type":"session.updated","session":{"audio":{"input":{"format":{"type":"audio/wav"}}}}}""",
        "session.updated: field 'session.audio.input.format.type' must be audio/pcmu, audio/pcma or audio/pcm, found 'audio/wav'")]
    public void ServerParserRejects(string json, string expected)
    {
        Assert.StartsWith(expected, Wire.ServerError(json));
    }

    [Theory]
    [InlineData("{", "event: malformed JSON")]
    [InlineData("""["input_audio_buffer.append"]""", "event: expected a JSON object, found an array")]
    [InlineData("""{"audio":"AAA="}""", "event: missing required field 'type'")]
    [InlineData("""{"type":"conversation.item.delete","item_id":"x"}""", "conversation.item.delete: unknown client event type; supported types are session.update")]
    [InlineData("""{"type":"input_audio_buffer.append","audio":7}""", "input_audio_buffer.append: field 'audio' must be a string, found a number")]
    [InlineData("""{"type":"input_audio_buffer.append","audio":"!!!!"}""", "input_audio_buffer.append: field 'audio' is not valid base64")]
    [InlineData("""{"type":"input_audio_buffer.append"}""", "input_audio_buffer.append: missing required field 'audio'")]
    [InlineData("""{"type":"session.update"}""", "session.update: missing required field 'session'")]
    [InlineData("""{"type":"session.update","session":{"instructions":"x"}}""", "session.update: missing required field 'session.type'")]
    [InlineData("""{"type":"session.update","session":{"type":"translation"}}""",
        "session.update: field 'session.type' must be 'realtime' or 'transcription', found 'translation'")]
    [InlineData("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":16000}}}}}""",
        "session.update: field 'session.audio.input.format.rate' must be 24000, found 16000")]
    [InlineData("""{"type":"session.update","session":{"type":"realtime","audio":{"output":{"format":{"rate":24000}}}}}""",
        "session.update: missing required field 'session.audio.output.format.type'")]
    [InlineData("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":{"silence_duration_ms":"500"}}}}}""",
        "session.update: field 'session.audio.input.turn_detection.silence_duration_ms' must be a 32-bit integer, found a string")]
    [InlineData("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":{"type":"push_to_talk"}}}}}""",
        "session.update: field 'session.audio.input.turn_detection.type' must be server_vad or semantic_vad, found 'push_to_talk'")]
    [InlineData("""{"type":"session.update","session":{"type":"realtime","tools":[{"type":"mcp","name":"x"}]}}""",
        "session.update: field 'session.tools[].type' must be 'function', found 'mcp'")]
    [InlineData("""{"type":"session.update","session":{"type":"realtime","tools":[{"type":"function"}]}}""",
        "session.update: missing required field 'session.tools[].name'")]
    [InlineData("""{"type":"session.update","session":{"type":"realtime","tool_choice":{"type":"function","name":"x"}}}""",
        "session.update: field 'session.tool_choice' must be a string, found an object")]
    [InlineData("""{"type":"conversation.item.create","item":{"type":"mcp_call"}}""",
        "conversation.item.create: field 'item.type' must be message, function_call or function_call_output")]
    [InlineData("""{"type":"conversation.item.create","item":{"type":"message","content":[]}}""", "conversation.item.create: missing required field 'item.role'")]
    [InlineData("""{"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"c"}}""",
        "conversation.item.create: missing required field 'item.output'")]
    [InlineData("""{"type":"conversation.item.create","item":[]}""", "conversation.item.create: field 'item' must be an object, found an array")]
    [InlineData("""{"type":"conversation.item.truncate","item_id":"i","content_index":0}""",
        "conversation.item.truncate: missing required field 'audio_end_ms'")]
    [InlineData("""{"type":"conversation.item.truncate","item_id":"i","content_index":1.5,"audio_end_ms":1}""",
        "conversation.item.truncate: field 'content_index' must be a 32-bit integer, found a number")]
    [InlineData("""{"type":"response.create","response":"now"}""", "response.create: field 'response' must be an object, found a string")]
    public void ClientParserRejects(string json, string expected)
    {
        Assert.StartsWith(expected, Wire.ClientError(json));
    }

    [Fact]
    public void ClientEventIdSurvivesAFailureForTheErrorReply()
    {
        var parsed = new RealtimeClientEvent();

        Assert.False(RealtimeClientParser.TryParse("""{"type":"input_audio_buffer.append","event_id":"evt_9","audio":"!!"}"""u8, parsed, out _));

        Assert.Equal("evt_9", parsed.EventId);
        Assert.Equal(RealtimeClientEventType.InputAudioBufferAppend, parsed.Type);
    }

    public static TheoryData<byte[]> Garbage => new()
    {
        Encoding.UTF8.GetBytes("""{"type":"input_audio_buffer.cleared","x":""" + new string('[', 100_000) + new string(']', 100_000) + "}"),
        Encoding.UTF8.GetBytes(new string('{', 50_000)),
        Encoding.UTF8.GetBytes("""{"type":"error","error":""" + string.Concat(Enumerable.Repeat("""{"a":""", 5_000)) + "1" + new string('}', 5_000) + "}"),
        WithRawBytes("""{"type":"error","error":{"message":" """, [0xff, 0xfe, 0xc3], "\"}}"),
        WithRawBytes("""{"type":"input_audio_buffer.committed","item_id":" """, [0xc3], "\"}"),
        Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7919 % 251)).ToArray(),
        new byte[] { 0xef, 0xbb, 0xbf },
    };

    private static byte[] WithRawBytes(string before, byte[] raw, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];

    [Theory]
    [MemberData(nameof(Garbage))]
    public void GarbageNeverThrows(byte[] utf8)
    {
        var server = new RealtimeServerEvent();
        var client = new RealtimeClientEvent();

        Assert.False(RealtimeServerParser.TryParse(utf8, server, out var serverError));
        Assert.False(RealtimeClientParser.TryParse(utf8, client, out var clientError));

        Assert.NotNull(serverError);
        Assert.NotNull(clientError);
    }
}
