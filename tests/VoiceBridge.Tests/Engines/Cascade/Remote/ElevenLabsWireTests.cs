using System.Buffers;
using System.Text;
using System.Text.Json;
using VoiceBridge.Engines.Cascade.Remote;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>The ElevenLabs stream-input codec against the shapes in ElevenLabs' WebSocket reference (AsyncAPI).</summary>
public sealed class ElevenLabsWireTests
{
    [Fact]
    public void Init_message_is_a_single_space_with_voice_settings_and_schedule()
    {
        var output = new ArrayBufferWriter<byte>();
        ElevenLabsWire.WriteInit(output, new ElevenLabsOptions { Stability = 0.4, SimilarityBoost = 0.8, ChunkLengthSchedule = [50, 90] });
        using var json = JsonDocument.Parse(output.WrittenMemory);
        var root = json.RootElement;
        Assert.Equal(" ", root.GetProperty("text").GetString());
        Assert.Equal(0.4, root.GetProperty("voice_settings").GetProperty("stability").GetDouble());
        Assert.Equal(0.8, root.GetProperty("voice_settings").GetProperty("similarity_boost").GetDouble());
        Assert.Equal([50, 90], root.GetProperty("generation_config").GetProperty("chunk_length_schedule").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Theory]
    [InlineData("Hello there.", "Hello there. ")]
    [InlineData("Ends in a space. ", "Ends in a space. ")]
    public void Text_chunks_end_in_one_space_and_ask_for_generation(string chunk, string sent)
    {
        var output = new ArrayBufferWriter<byte>();
        ElevenLabsWire.WriteText(output, chunk);
        using var json = JsonDocument.Parse(output.WrittenMemory);
        Assert.Equal(sent, json.RootElement.GetProperty("text").GetString());
        Assert.True(json.RootElement.GetProperty("try_trigger_generation").GetBoolean());
        Assert.Equal("""{"text":""}""", Encoding.UTF8.GetString(ElevenLabsWire.EndOfInput));
    }

    [Fact]
    public void Audio_final_and_error_messages_are_read()
    {
        Assert.True(ElevenLabsWire.TryParse("""{"audio":"AAEC/w==","isFinal":null,"normalizedAlignment":{"chars":["H"],"charStartTimesMs":[0],"charDurationsMs":[3]}}"""u8, out var audio, out _));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, audio!.Audio);
        Assert.False(audio.IsFinal);

        Assert.True(ElevenLabsWire.TryParse("""{"isFinal":true}"""u8, out var final, out _));
        Assert.True(final!.IsFinal);
        Assert.Null(final.Audio);

        Assert.True(ElevenLabsWire.TryParse("""{"message":"Have not received a new text input within the timeout of 20 seconds.","error":"input_timeout_exceeded","code":1008}"""u8, out var error, out _));
        Assert.Equal("input_timeout_exceeded: Have not received a new text input within the timeout of 20 seconds.", error!.Error);
    }

    [Theory]
    [InlineData("{oops", "malformed JSON")]
    [InlineData("\"text\"", "expected a JSON object")]
    [InlineData("""{"alignment":{}}""", "unknown message")]
    [InlineData("""{"audio":"%%%","isFinal":false}""", "not valid base64")]
    public void Bad_messages_give_a_reason(string text, string reason)
    {
        Assert.False(ElevenLabsWire.TryParse(Encoding.UTF8.GetBytes(text), out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 120)];
            random.NextBytes(bytes);
            ElevenLabsWire.TryParse(bytes, out _, out _);
        }
    }
}
