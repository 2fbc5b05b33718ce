using VoiceBridge.Tests.Support;
using System.Buffers;
using System.Text;
using VoiceBridge.Legs.Twilio;
using static VoiceBridge.Tests.Legs.Twilio.TwilioTestData;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>What the bridge sends: <see cref="TwilioMessageWriter"/> and the harness's <see cref="TwilioOutboundParser"/>.</summary>
public sealed class TwilioBridgeToTwilioTests
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly TwilioOutboundMessage _message = new();

    [Fact]
    public void Media_matches_twilio_documented_shape()
    {
        TwilioMessageWriter.WriteMedia(_output, StreamSid, Frame);

        AssertJsonEqual($$$"""{"event":"media","streamSid":"{{{StreamSid}}}","media":{"payload":"{{{FrameBase64}}}"}}""", Written());
    }

    [Fact]
    public void Mark_matches_twilio_documented_shape()
    {
        TwilioMessageWriter.WriteMark(_output, StreamSid, "my label");

        AssertJsonEqual($$$"""{"event":"mark","streamSid":"{{{StreamSid}}}","mark":{"name":"my label"}}""", Written());
    }

    [Fact]
    public void Clear_matches_twilio_documented_shape()
    {
        TwilioMessageWriter.WriteClear(_output, StreamSid);

        AssertJsonEqual($$$"""{"event":"clear","streamSid":"{{{StreamSid}}}"}""", Written());
    }

    [Fact]
    public void Written_messages_parse_back_on_the_fake_twilio_side()
    {
        TwilioMessageWriter.WriteMedia(_output, StreamSid, Frame);
        ParseWritten();
        Assert.Equal((TwilioOutboundKind.Media, StreamSid), (_message.Kind, _message.StreamSid));
        Assert.Equal(Frame, _message.PayloadSpan.ToArray());

        TwilioMessageWriter.WriteMark(_output, StreamSid, "turn \"1\" / é <end>");
        ParseWritten();
        Assert.Equal((TwilioOutboundKind.Mark, "turn \"1\" / é <end>"), (_message.Kind, _message.MarkName));
        Assert.Equal(0, _message.PayloadLength);

        TwilioMessageWriter.WriteClear(_output, StreamSid);
        ParseWritten();
        Assert.Equal((TwilioOutboundKind.Clear, StreamSid, null), (_message.Kind, _message.StreamSid, _message.MarkName));
    }

    [Fact]
    public void Steady_state_media_writing_and_parsing_allocate_nothing()
    {
        Assert.Equal(0, Allocations.Of(() =>
        {
            for (int frame = 0; frame < 50; frame++)
            {
                TwilioMessageWriter.WriteMedia(_output, StreamSid, Frame);
                TwilioOutboundParser.TryParse(_output.WrittenSpan, _message, out _);
                _output.ResetWrittenCount();
            }
        }));
    }

    [Fact]
    public void Writer_refuses_empty_audio_and_missing_stream_sid()
    {
        Assert.Throws<ArgumentException>(() => TwilioMessageWriter.WriteMedia(_output, StreamSid, []));
        Assert.Throws<ArgumentException>(() => TwilioMessageWriter.WriteClear(_output, ""));
    }

    [Fact]
    public void Unknown_event_is_reported_but_not_invalid()
    {
        TwilioParseStatus status = TwilioOutboundParser.TryParse(Utf8("""{"event":"pause","streamSid":"MZ1"}"""), _message, out string? error);

        Assert.Equal((TwilioParseStatus.UnknownEvent, TwilioOutboundKind.Unknown), (status, _message.Kind));
        Assert.Equal("unknown event 'pause'", error);
    }

    [Theory]
    [InlineData("", "empty message")]
    [InlineData("{\"event\":\"clear\"", "malformed JSON at byte 16")]
    [InlineData("[]", "JSON root is an array, expected an object")]
    [InlineData("""{"streamSid":"MZ1"}""", "missing event")]
    [InlineData("""{"event":"clear"}""", "streamSid is missing")]
    [InlineData("""{"event":"clear","streamSid":1}""", "streamSid is 1, expected a string")]
    [InlineData("""{"event":"media","streamSid":"MZ1"}""", "media.payload is missing")]
    [InlineData("""{"event":"media","streamSid":"MZ1","media":{"payload":"@@@@"}}""", "media.payload is not valid base64")]
    [InlineData("""{"event":"media","streamSid":"MZ1","media":{"payload":""}}""", "media.payload is 0 bytes")]
    [InlineData("""{"event":"mark","streamSid":"MZ1","mark":"x"}""", "mark is 'x', expected an object")]
    [InlineData("""{"event":"mark","streamSid":"MZ1","mark":{"label":"x"}}""", "mark.name is missing")]
    public void Bad_input_is_invalid_with_a_clear_error(string json, string expected)
    {
        TwilioParseStatus status = TwilioOutboundParser.TryParse(Utf8(json), _message, out string? error);

        Assert.Equal(TwilioParseStatus.Invalid, status);
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void Oversize_payload_reports_its_size()
    {
        string json = $$$"""{"event":"media","streamSid":"MZ1","media":{"payload":"{{{Convert.ToBase64String(new byte[4097])}}}"}}""";

        TwilioOutboundParser.TryParse(Utf8(json), _message, out string? error);

        Assert.Equal("media.payload is 4097 bytes, more than the 4096-byte capacity", error);
    }

    private string Written() => Encoding.UTF8.GetString(_output.WrittenSpan);

    private void ParseWritten()
    {
        TwilioParseStatus status = TwilioOutboundParser.TryParse(_output.WrittenSpan, _message, out string? error);
        Assert.True(status == TwilioParseStatus.Ok, error);
        _output.ResetWrittenCount();
    }
}
