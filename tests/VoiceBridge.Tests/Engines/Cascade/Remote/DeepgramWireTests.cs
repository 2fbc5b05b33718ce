using System.Buffers;
using System.Text;
using System.Text.Json;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Simulator.Cascade;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>
/// The Deepgram live codec against the shapes in Deepgram's docs (listen-streaming AsyncAPI,
/// Finalize and CloseStream pages): golden examples, and bad input giving a reason, never a throw.
/// </summary>
public sealed class DeepgramWireTests
{
    private const string InterimExample = """
        {"type":"Results","channel_index":[0,1],"duration":1.98,"start":5.99,"is_final":false,"speech_final":false,
         "channel":{"alternatives":[{"transcript":"another big","confidence":0.9961,"words":[
           {"word":"another","start":6.08,"end":6.4,"confidence":0.99,"punctuated_word":"Another"},
           {"word":"big","start":6.4,"end":6.72,"confidence":0.99,"punctuated_word":"big"}]}]},
         "metadata":{"request_id":"8c8ebea9-dbec-45fa-a035-e4632cb05b5f","model_info":{"name":"general","version":"2024-01-26.8851","arch":"base"},
           "model_uuid":"1dbdfb4d-85b2-4659-9c9b-3f8a9d0c1c4e"},
         "from_finalize":false}
        """;

    [Fact]
    public void Interim_results_give_transcript_confidence_flags_and_timing()
    {
        Assert.True(DeepgramWire.TryParse(Encoding.UTF8.GetBytes(InterimExample), out var m, out var error), error);
        Assert.Equal(DeepgramMessageKind.Results, m!.Kind);
        Assert.Equal("another big", m.Transcript);
        Assert.Equal(0.9961, m.Confidence);
        Assert.False(m.IsFinal);
        Assert.False(m.SpeechFinal);
        Assert.False(m.FromFinalize);
        Assert.Equal(5.99, m.Start);
        Assert.Equal(1.98, m.Duration);
        Assert.Equal("8c8ebea9-dbec-45fa-a035-e4632cb05b5f", m.RequestId);
    }

    [Fact]
    public void Finalize_answer_is_final_and_from_finalize()
    {
        var json = InterimExample.Replace("\"is_final\":false", "\"is_final\":true").Replace("\"from_finalize\":false", "\"from_finalize\":true");
        Assert.True(DeepgramWire.TryParse(Encoding.UTF8.GetBytes(json), out var m, out _));
        Assert.True(m!.IsFinal);
        Assert.True(m.FromFinalize);
    }

    [Theory]
    [InlineData("""{"type":"Metadata","transaction_key":"deprecated","request_id":"8c8ebea9-dbec-45fa-a035-e4632cb05b5f","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","created":"2024-08-29T22:37:55.202Z","duration":0.0,"channels":0}""", "Metadata")]
    [InlineData("""{"type":"UtteranceEnd","channel":[0,1],"last_word_end":2.395}""", "UtteranceEnd")]
    [InlineData("""{"type":"SpeechStarted","channel":[0,1],"timestamp":9.54}""", "SpeechStarted")]
    [InlineData("""{"type":"Error","description":"Failed to process audio","message":"DATA-0000","variant":"error"}""", "Error")]
    [InlineData("""{"type":"TurnInfo","event":"Update"}""", "Unknown")]
    public void Other_messages_are_typed(string json, string kindName)
    {
        var kind = Enum.Parse<DeepgramMessageKind>(kindName);
        Assert.True(DeepgramWire.TryParse(Encoding.UTF8.GetBytes(json), out var m, out var error), error);
        Assert.Equal(kind, m!.Kind);
        if (kind == DeepgramMessageKind.Metadata)
        {
            Assert.Equal("8c8ebea9-dbec-45fa-a035-e4632cb05b5f", m.RequestId);
        }

        if (kind == DeepgramMessageKind.Error)
        {
            Assert.Equal("Failed to process audio", m.ErrorText);
        }
    }

    [Theory]
    [InlineData("not json", "malformed JSON")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("""{"type":5}""", "missing string field 'type'")]
    [InlineData("""{"channel":{}}""", "missing string field 'type'")]
    [InlineData("""{"type":"Results","channel":""", "malformed JSON")]
    public void Bad_messages_give_a_reason(string text, string reason)
    {
        Assert.False(DeepgramWire.TryParse(Encoding.UTF8.GetBytes(text), out var m, out var error));
        Assert.Null(m);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length > 2)
            {
                Encoding.UTF8.GetBytes("""{"type":"Results","channel":{"alternatives":[""").AsSpan(0, Math.Min(bytes.Length, 42)).CopyTo(bytes);
            }

            DeepgramWire.TryParse(bytes, out _, out _);
        }
    }

    [Fact]
    public void Control_messages_are_the_documented_json()
    {
        Assert.Equal("""{"type":"KeepAlive"}""", Encoding.UTF8.GetString(DeepgramWire.KeepAlive));
        Assert.Equal("""{"type":"Finalize"}""", Encoding.UTF8.GetString(DeepgramWire.Finalize));
        Assert.Equal("""{"type":"CloseStream"}""", Encoding.UTF8.GetString(DeepgramWire.CloseStream));
    }

    [Fact]
    public void Simulator_results_read_back_through_the_client_codec()
    {
        var output = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(output))
        {
            DeepgramServerWriter.WriteResults(w, new DeepgramSegment(1.5, 2.25, "Hello, there.", 0.98, true, false, true), "req-1");
        }

        Assert.True(DeepgramWire.TryParse(output.WrittenSpan, out var m, out var error), error);
        Assert.Equal(("Hello, there.", 0.98, true, false, true, 1.5, 2.25, "req-1"),
            (m!.Transcript, m.Confidence, m.IsFinal, m.SpeechFinal, m.FromFinalize, m.Start, m.Duration, m.RequestId));
        using var document = JsonDocument.Parse(output.WrittenMemory);
        var words = document.RootElement.GetProperty("channel").GetProperty("alternatives")[0].GetProperty("words");
        Assert.Equal(["hello", "there"], words.EnumerateArray().Select(w => w.GetProperty("word").GetString()));
        Assert.Equal(["Hello,", "there."], words.EnumerateArray().Select(w => w.GetProperty("punctuated_word").GetString()));
    }
}
