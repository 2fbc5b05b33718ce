using VoiceBridge.Tests.Support;
using VoiceBridge.Legs.Twilio;
using static VoiceBridge.Tests.Legs.Twilio.TwilioTestData;

namespace VoiceBridge.Tests.Legs.Twilio;

public sealed class TwilioMessageParserTests
{
    private readonly TwilioInboundMessage _message = new();

    [Fact]
    public void Connected_has_no_sequence_number_or_stream_sid()
    {
        Parse(ConnectedJson);

        Assert.Equal(TwilioEventKind.Connected, _message.Kind);
        Assert.Null(_message.SequenceNumber);
        Assert.Null(_message.StreamSid);
    }

    [Fact]
    public void Start_reads_sids_tracks_format_and_custom_parameters()
    {
        Parse(StartJson);

        Assert.Equal(TwilioEventKind.Start, _message.Kind);
        Assert.Equal(1, _message.SequenceNumber);
        Assert.Equal(StreamSid, _message.StreamSid);
        Assert.Equal(CallSid, _message.CallSid);
        Assert.Equal(AccountSid, _message.AccountSid);
        Assert.Equal(["inbound"], _message.Tracks);
        Assert.Equal("audio/x-mulaw", _message.MediaEncoding);
        Assert.Equal(8000, _message.MediaSampleRate);
        Assert.Equal(1, _message.MediaChannels);
        Assert.Equal(new Dictionary<string, string> { ["From"] = "+15550001111", ["tenant"] = "acme" }, _message.CustomParameters);
    }

    [Fact]
    public void Media_decodes_payload_and_reads_string_counters()
    {
        Parse(MediaJson(FrameBase64, sequence: 3, chunk: 2, timestamp: 25));

        Assert.Equal(TwilioEventKind.Media, _message.Kind);
        Assert.Equal(3, _message.SequenceNumber);
        Assert.Equal(2, _message.Chunk);
        Assert.Equal(25, _message.TimestampMs);
        Assert.Equal("inbound", _message.Track);
        Assert.Equal(StreamSid, _message.StreamSid);
        Assert.Equal(Frame, _message.PayloadSpan.ToArray());
    }

    [Fact]
    public void Media_payload_with_json_escapes_decodes_the_same()
    {
        Assert.Contains('/', FrameBase64);
        Assert.Contains('+', FrameBase64);

        Parse(MediaJson(FrameBase64.Replace("/", "\\/").Replace("+", "\\u002B")));

        Assert.Equal(Frame, _message.PayloadSpan.ToArray());
    }

    [Fact]
    public void Media_accepts_numbers_where_twilio_sends_strings()
    {
        Parse($$$"""{"event":"media","sequenceNumber":7,"media":{"chunk":3,"timestamp":40,"payload":"{{{FrameBase64}}}"},"streamSid":"MZ1"}""");

        Assert.Equal((7L, 3L, 40L), (_message.SequenceNumber!.Value, _message.Chunk, _message.TimestampMs));
    }

    [Fact]
    public void Mark_dtmf_and_stop_read_their_fields()
    {
        Parse(MarkJson);
        Assert.Equal((TwilioEventKind.Mark, "my label", 4L), (_message.Kind, _message.MarkName, _message.SequenceNumber!.Value));

        Parse(DtmfJson);
        Assert.Equal((TwilioEventKind.Dtmf, "1", "inbound_track"), (_message.Kind, _message.Digit, _message.Track));

        Parse(StopJson);
        Assert.Equal((TwilioEventKind.Stop, CallSid, AccountSid), (_message.Kind, _message.CallSid, _message.AccountSid));
    }

    [Fact]
    public void Unknown_fields_objects_and_arrays_are_ignored_in_any_order()
    {
        Parse($$$"""
            {"extra":{"deep":[1,{"x":[true,null]}]},"media":{"future":[{"a":1}],"payload":"{{{FrameBase64}}}","more":{"b":2}},
             "streamSid":"MZ1","list":[[],{}],"event":"media","n":1.5e3}
            """);

        Assert.Equal(TwilioEventKind.Media, _message.Kind);
        Assert.Equal(Frame, _message.PayloadSpan.ToArray());
    }

    [Fact]
    public void Each_parse_clears_fields_of_the_previous_message()
    {
        Parse(StartJson);
        Parse(MarkJson);
        Parse(MediaJson(FrameBase64));

        Assert.Null(_message.MarkName);
        Assert.Null(_message.CallSid);
        Assert.Empty(_message.CustomParameters);
        Assert.Empty(_message.Tracks);
        Assert.Null(_message.MediaEncoding);
    }

    [Fact]
    public void Stream_sid_and_track_strings_are_reused_until_they_change()
    {
        Parse(MediaJson(FrameBase64));
        string? sid = _message.StreamSid;
        string? track = _message.Track;

        Parse(MediaJson(FrameBase64, sequence: 4));
        Assert.Same(sid, _message.StreamSid);
        Assert.Same(track, _message.Track);

        Parse(MediaJson(FrameBase64).Replace(StreamSid, "MZother"));
        Assert.Equal("MZother", _message.StreamSid);
    }

    [Fact]
    public void Steady_state_media_parsing_allocates_nothing()
    {
        byte[][] frames = [.. Enumerable.Range(1, 50).Select(i => Utf8(MediaJson(FrameBase64, i, i, i * 20)))];
        foreach (byte[] frame in frames)
        {
            TwilioMessageParser.TryParse(frame, _message, out _);
        }

        Assert.Equal(0, Allocations.Of(() =>
        {
            foreach (byte[] frame in frames)
            {
                TwilioMessageParser.TryParse(frame, _message, out _);
            }
        }));
    }

    [Fact]
    public void Unknown_event_is_reported_but_not_invalid()
    {
        TwilioParseStatus status = TwilioMessageParser.TryParse(Utf8("""{"event":"foo","streamSid":"MZ1"}"""), _message, out string? error);

        Assert.Equal(TwilioParseStatus.UnknownEvent, status);
        Assert.Equal(TwilioEventKind.Unknown, _message.Kind);
        Assert.Equal("unknown event 'foo'", error);
    }

    [Theory]
    [InlineData("", "empty message")]
    [InlineData("not json", "malformed JSON at byte 1: 'not json' is an invalid JSON literal")]
    [InlineData("""{"event":"media","media":{"payload":"AAAA""", "malformed JSON at byte 41: Expected end of string, but instead reached end of data")]
    [InlineData("""{"event":"stop"} trailing""", "malformed JSON at byte 17: 't' is invalid after a single JSON value")]
    [InlineData("{\"event\":\n\"stop\",}", "malformed JSON at line 2, byte 7: The JSON object contains a trailing comma")]
    [InlineData("""[{"event":"stop"}]""", "JSON root is an array, expected an object")]
    [InlineData("\"stop\"", "JSON root is 'stop', expected an object")]
    [InlineData("""{"streamSid":"MZ1","media":{"payload":"AAAA"}}""", "missing event")]
    [InlineData("""{"event":5}""", "event is 5, expected a string")]
    [InlineData("""{"event":"media","media":{"payload":"not base64!"}}""", "media.payload is not valid base64")]
    [InlineData("""{"event":"media","media":{"payload":""}}""", "media.payload is 0 bytes")]
    [InlineData("""{"event":"media","media":{"payload":7}}""", "media.payload is 7, expected a base64 string")]
    [InlineData("""{"event":"media","media":{"track":"inbound"}}""", "media.payload is missing")]
    [InlineData("""{"event":"media","media":[]}""", "media is an array, expected an object")]
    [InlineData("""{"event":"media","sequenceNumber":"abc","media":{"payload":"AAAA"}}""", "sequenceNumber is 'abc', expected an integer")]
    [InlineData("""{"event":"media","media":{"timestamp":"1.5","payload":"AAAA"}}""", "media.timestamp is '1.5', expected an integer")]
    [InlineData("""{"event":"mark","mark":{}}""", "mark.name is missing")]
    [InlineData("""{"event":"mark","mark":{"name":null}}""", "mark.name is null, expected a string")]
    [InlineData("""{"event":"dtmf","dtmf":{"track":"inbound_track"}}""", "dtmf.digit is missing")]
    public void Bad_input_is_invalid_with_a_clear_error(string json, string expected)
    {
        TwilioParseStatus status = TwilioMessageParser.TryParse(Utf8(json), _message, out string? error);

        Assert.Equal(TwilioParseStatus.Invalid, status);
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void A_mark_name_is_read_without_a_string_unescaped_and_bounded()
    {
        Parse("""{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"g1-\u0034800"}}""");
        Assert.Equal("g1-4800"u8.ToArray(), _message.MarkNameUtf8.ToArray());

        var longName = new string('m', TwilioInboundMessage.MarkNameCapacity + 1);
        var status = TwilioMessageParser.TryParse(Utf8($$$"""{"event":"mark","mark":{"name":"{{{longName}}}"}}"""), _message, out string? error);
        Assert.Equal(TwilioParseStatus.Invalid, status);
        Assert.Equal("mark.name is longer than 256 bytes", error);
    }

    [Fact]
    public void Oversize_payload_reports_its_size()
    {
        string payload = Convert.ToBase64String(new byte[5000]);

        TwilioParseStatus status = TwilioMessageParser.TryParse(Utf8(MediaJson(payload)), _message, out string? error);

        Assert.Equal(TwilioParseStatus.Invalid, status);
        Assert.Equal("media.payload is 5000 bytes, more than the 4096-byte capacity", error);
    }

    [Fact]
    public void Payload_of_exactly_capacity_is_accepted()
    {
        Parse(MediaJson(Convert.ToBase64String(new byte[TwilioInboundMessage.PayloadCapacity])));

        Assert.Equal(TwilioInboundMessage.PayloadCapacity, _message.PayloadLength);
    }

    [Theory]
    [InlineData("\"encoding\":\"audio/x-mulaw\"", "\"encoding\":\"audio/x-alaw\"", "start.mediaFormat.encoding is audio/x-alaw, expected audio/x-mulaw")]
    [InlineData("\"sampleRate\":8000", "\"sampleRate\":16000", "start.mediaFormat.sampleRate is 16000, expected 8000")]
    [InlineData("\"channels\":1", "\"channels\":2", "start.mediaFormat.channels is 2, expected 1")]
    [InlineData("\"channels\":1", "\"channels\":\"x\"", "start.mediaFormat.channels is 'x', expected an integer")]
    [InlineData("\"encoding\":\"audio/x-mulaw\",", "", "start.mediaFormat.encoding is missing")]
    [InlineData("\"callSid\"", "\"callSidX\"", "start.callSid is missing")]
    [InlineData("\"streamSid\"", "\"streamSidX\"", "start is missing streamSid")]
    [InlineData("\"tracks\":[\"inbound\"]", "\"tracks\":\"inbound\"", "start.tracks is 'inbound', expected an array")]
    [InlineData("\"tenant\":\"acme\"", "\"tenant\":1", "start.customParameters.tenant is 1, expected a string")]
    public void Start_with_unusable_format_or_missing_sids_is_invalid(string find, string replace, string expected)
    {
        TwilioParseStatus status = TwilioMessageParser.TryParse(Utf8(StartJson.Replace(find, replace)), _message, out string? error);

        Assert.Equal(TwilioParseStatus.Invalid, status);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Every_truncation_of_documented_messages_is_invalid_not_an_exception()
    {
        foreach (string json in new[] { StartJson, MediaJson(FrameBase64), MarkJson, DtmfJson, StopJson })
        {
            byte[] utf8 = Utf8(json.Trim());
            for (int length = 0; length < utf8.Length; length++)
            {
                Assert.Equal(TwilioParseStatus.Invalid, TwilioMessageParser.TryParse(utf8.AsSpan(0, length), _message, out string? error));
                Assert.False(string.IsNullOrEmpty(error));
            }
        }
    }

    private void Parse(string json)
    {
        TwilioParseStatus status = TwilioMessageParser.TryParse(Utf8(json), _message, out string? error);
        Assert.True(status == TwilioParseStatus.Ok, error);
        Assert.Null(error);
    }
}
