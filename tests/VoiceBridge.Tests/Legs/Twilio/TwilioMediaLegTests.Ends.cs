using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Media;
using VoiceBridge.Tests.Call;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>How a stream ends without Twilio's stop: closed, silent, refused at its start, or never started.</summary>
public sealed partial class TwilioMediaLegTests
{
    [Fact]
    public void A_socket_closed_without_stop_still_ends_the_call()
    {
        var h = new LegHarness(output);

        var summary = h.Run(async carrier =>
        {
            await StartWith80MsAsync(h, carrier);
            await h.At(100);
            await carrier.CloseAsync();
            return await h.Registry.WhenEnded(CallSid);
        });

        Assert.Equal(80, summary.CallerAudioMs);
        Assert.StartsWith("stream lost: closed by peer (NormalClosure", summary.EndReason, StringComparison.Ordinal);
        Assert.True(h.Engine.Disposed);
        Assert.Empty(h.Registry.Live);
    }

    [Fact]
    public void A_stream_that_falls_silent_without_closing_is_given_up_after_the_media_timeout()
    {
        var h = new LegHarness(output);

        var summary = h.Run(async carrier =>
        {
            await StartWith80MsAsync(h, carrier);
            await h.At(9_500);
            Assert.Single(h.Registry.Live);
            Assert.False(h.LegCompleted, "the stream was given up before the timeout");
            await h.At(11_500);
            return await h.Registry.WhenEnded(CallSid);
        });

        Assert.Contains(summary.Errors, e => e.Contains("the stream is dead", StringComparison.Ordinal));
        Assert.Equal("stream lost: no message for 10 s: the stream is dead", summary.EndReason);
        Assert.True(h.Engine.Disposed);
        Assert.Empty(h.Registry.Live);
        Assert.InRange(summary.DurationMs, 10_000, 11_100);
    }

    [Fact]
    public void A_start_in_an_audio_format_we_do_not_take_ends_the_stream_with_the_reason_and_starts_no_call()
    {
        var h = new LegHarness(output);

        h.Run(async carrier =>
        {
            carrier.SendConnected();
            carrier.SendRaw($$$"""{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"{{{StreamSid}}}","callSid":"{{{CallSid}}}","tracks":["inbound"],"customParameters":{},"mediaFormat":{"encoding":"audio/x-l16","sampleRate":16000,"channels":1}},"streamSid":"{{{StreamSid}}}"}""");
            for (var i = 0; i < 50; i++)
            {
                carrier.SendMedia(new byte[CallClock.FrameSamples]);
            }

            await h.At(100);
            await carrier.CloseAsync();
            await h.At(101);
            return new CallSummary("", "", 0, 0, [], [], 0, 0, 0, []);
        });

        Assert.Null(h.Session);
        Assert.True(h.LegCompleted);
        Assert.Equal((true, System.Net.WebSockets.WebSocketCloseStatus.InvalidPayloadData), (h.CarrierEnd!.ClosedByPeer, h.CarrierEnd.CloseStatus));
        Assert.Single(h.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("start refused: start.mediaFormat.encoding is audio/x-l16", StringComparison.Ordinal));
        Assert.Equal(1, h.Logger.Entries.Count(e => e.Level == LogLevel.Warning));
    }

    [Fact]
    public void A_stream_that_never_starts_a_call_ends_without_a_summary()
    {
        var h = new LegHarness(output);

        h.Run(async carrier =>
        {
            carrier.SendConnected();
            await h.At(40);
            await carrier.CloseAsync();
            await h.At(41);
            return new CallSummary("", "", 0, 0, [], [], 0, 0, 0, []);
        });

        Assert.Null(h.Session);
        Assert.Null(h.LegResult);
        Assert.True(h.LegCompleted);
        Assert.Empty(h.Registry.Live);
        Assert.True(h.CarrierEnd!.ClosedByPeer);
    }

    /// <summary>Connected and start, then 80 ms of caller audio once the call's engine has started.</summary>
    private static async Task StartWith80MsAsync(LegHarness h, Carrier carrier)
    {
        carrier.SendConnected();
        carrier.SendStart();
        await h.Engine.Started;
        await carrier.FeedAsync(TestAudio.Pattern(4 * CallClock.FrameSamples));
    }
}
