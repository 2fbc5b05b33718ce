using VoiceBridge.Tests.Support;
using System.Buffers;
using System.Text;
using VoiceBridge.Legs.Twilio;
using static VoiceBridge.Tests.Legs.Twilio.TwilioTestData;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>The fake-Twilio side writes Twilio's documented shapes, which the bridge's parser reads back.</summary>
public sealed class TwilioCarrierWriterTests
{
    private static readonly Dictionary<string, string> Parameters = new() { ["From"] = "+15550001111", ["tenant"] = "acme" };

    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly TwilioInboundMessage _message = new();

    [Fact]
    public void Connected_matches_documented_shape()
    {
        TwilioCarrierWriter.WriteConnected(_output);

        AssertWritten(ConnectedJson, TwilioEventKind.Connected);
    }

    [Fact]
    public void Start_matches_documented_shape()
    {
        TwilioCarrierWriter.WriteStart(_output, 1, StreamSid, AccountSid, CallSid, Parameters);

        AssertWritten(StartJson, TwilioEventKind.Start);
        Assert.Equal(Parameters, _message.CustomParameters);
    }

    [Fact]
    public void Media_matches_documented_shape()
    {
        TwilioCarrierWriter.WriteMedia(_output, 3, StreamSid, chunk: 1, timestampMs: 5, Frame);

        AssertWritten(MediaJson(FrameBase64, sequence: 3, chunk: 1, timestamp: 5), TwilioEventKind.Media);
        Assert.Equal(Frame, _message.PayloadSpan.ToArray());
    }

    [Fact]
    public void Mark_dtmf_and_stop_match_documented_shapes()
    {
        TwilioCarrierWriter.WriteMark(_output, 4, StreamSid, "my label");
        AssertWritten(MarkJson, TwilioEventKind.Mark);

        TwilioCarrierWriter.WriteDtmf(_output, 5, StreamSid, "1");
        AssertWritten(DtmfJson, TwilioEventKind.Dtmf);

        TwilioCarrierWriter.WriteStop(_output, 5, StreamSid, AccountSid, CallSid);
        AssertWritten(StopJson, TwilioEventKind.Stop);
    }

    [Fact]
    public void Steady_state_media_writing_allocates_nothing()
    {
        Assert.Equal(0, Allocations.Of(() =>
        {
            for (int frame = 1; frame <= 50; frame++)
            {
                TwilioCarrierWriter.WriteMedia(_output, frame, StreamSid, frame, frame * 20, Frame);
                _output.ResetWrittenCount();
            }
        }));
    }

    private void AssertWritten(string documented, TwilioEventKind kind)
    {
        AssertJsonEqual(documented, Encoding.UTF8.GetString(_output.WrittenSpan));
        TwilioParseStatus status = TwilioMessageParser.TryParse(_output.WrittenSpan, _message, out string? error);
        Assert.True(status == TwilioParseStatus.Ok, error);
        Assert.Equal(kind, _message.Kind);
        _output.ResetWrittenCount();
    }
}
