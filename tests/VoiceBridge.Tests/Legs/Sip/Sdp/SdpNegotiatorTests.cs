using VoiceBridge.Legs.Sip.Sdp;
using static VoiceBridge.Tests.Legs.Sip.Sdp.SdpTestData;

namespace VoiceBridge.Tests.Legs.Sip.Sdp;

public sealed class SdpNegotiatorTests
{
    [Fact]
    public void Answers_the_sipp_offer_byte_for_byte()
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Parse(SippOffer), Local());

        Assert.True(result.Accepted);
        Assert.Null(result.RejectReason);
        Assert.Equal(
            "v=0\r\n"
            + "o=voicebridge 42 1 IN IP4 203.0.113.10\r\n"
            + "s=VoiceBridge\r\n"
            + "c=IN IP4 203.0.113.10\r\n"
            + "t=0 0\r\n"
            + "m=audio 20000 RTP/AVP 0\r\n"
            + "a=rtpmap:0 PCMU/8000\r\n"
            + "a=ptime:20\r\n"
            + "a=sendrecv\r\n",
            result.Answer!.ToString());
        Assert.Equal(new SdpMediaChoice("127.0.0.1", 6000, SdpCodec.Pcmu, 0, null, 20, 20, SdpDirection.SendRecv, IsHold: false), result.Choice);
    }

    [Fact]
    public void Answers_baresip_with_pcmu_and_its_telephone_event_and_refuses_video()
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Parse(BaresipOffer), Local());

        SdpSession answer = result.Answer!;
        Assert.Equal(2, answer.Media.Count);
        SdpMedia audio = answer.Media[0];
        Assert.Equal(["0", "101"], audio.Formats);
        Assert.Equal([new SdpRtpMap(0, "PCMU", 8000), new SdpRtpMap(101, "telephone-event", 8000)], audio.RtpMaps);
        Assert.Equal("0-15", audio.FindFmtp("101"));
        Assert.Empty(audio.Attributes);
        Assert.Contains("m=video 0 RTP/AVP 100\r\n", answer.ToString(), StringComparison.Ordinal);
        Assert.Equal(SdpCodec.Pcmu, result.Choice!.Codec);
        Assert.Equal(101, result.Choice.TelephoneEventPayloadType);
        Assert.Equal(("192.168.1.20", 10000), (result.Choice.RemoteAddress, result.Choice.RemotePort));
    }

    [Fact]
    public void Keeps_the_offerers_preference_order()
    {
        SdpMediaChoice choice = SdpNegotiator.Answer(Offer("8 0"), Local()).Choice!;

        Assert.Equal((SdpCodec.Pcma, 8), (choice.Codec, choice.PayloadType));
    }

    [Fact]
    public void Recognises_g711_on_a_dynamic_payload_type_by_rtpmap_name()
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Offer("97 98", "a=rtpmap:97 G729/8000\r\na=rtpmap:98 pcmu/8000\r\n"), Local());

        Assert.Equal((SdpCodec.Pcmu, 98), (result.Choice!.Codec, result.Choice.PayloadType));
        Assert.Contains("a=rtpmap:98 PCMU/8000\r\n", result.Answer!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_rtpmap_that_remaps_a_static_type_wins_over_the_table()
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Offer("0 8", "a=rtpmap:0 G722/8000\r\n"), Local());

        Assert.Equal((SdpCodec.Pcma, 8), (result.Choice!.Codec, result.Choice.PayloadType));
    }

    [Fact]
    public void Telephone_event_without_fmtp_is_answered_without_fmtp()
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Offer("0 100", "a=rtpmap:100 telephone-event/8000\r\n"), Local());

        Assert.Equal(100, result.Choice!.TelephoneEventPayloadType);
        Assert.Empty(result.Answer!.Media[0].Fmtps);
    }

    [Fact]
    public void Telephone_event_at_another_clock_rate_is_not_answered()
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Offer("0 110", "a=rtpmap:110 telephone-event/48000\r\n"), Local());

        Assert.Null(result.Choice!.TelephoneEventPayloadType);
        Assert.Equal(["0"], result.Answer!.Media[0].Formats);
    }

    [Fact]
    public void No_common_codec_gives_a_488_reason_and_warning()
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Offer("96 18", "a=rtpmap:96 opus/48000/2\r\na=rtpmap:18 G729/8000\r\n"), Local());

        Assert.False(result.Accepted);
        Assert.Null(result.Choice);
        Assert.Equal("no common audio codec: offered 96:opus/48000 18:G729/8000, supported PCMU/8000 PCMA/8000", result.RejectReason);
        Assert.Equal("305 voicebridge \"no common audio codec: offered 96:opus/48000 18:G729/8000, supported PCMU/8000 PCMA/8000\"", result.WarningHeader("voicebridge"));
    }

    [Theory]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\n", "no audio stream")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n", "RTP/SAVP is not supported")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", "no c= address")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n", "disabled")]
    public void Offers_without_a_usable_audio_stream_are_rejected(string offer, string expected)
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Parse(offer), Local());

        Assert.False(result.Accepted);
        Assert.Contains(expected, result.RejectReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_first_acceptable_audio_stream_is_taken()
    {
        SdpSession offer = Parse("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/SAVP 0\r\nm=audio 4002 RTP/AVP 8\r\nm=audio 4004 RTP/AVP 0\r\n");

        SdpAnswerResult result = SdpNegotiator.Answer(offer, Local());

        Assert.Equal([0, 20000, 0], result.Answer!.Media.Select(m => m.Port));
        Assert.Equal((4002, SdpCodec.Pcma), (result.Choice!.RemotePort, result.Choice.Codec));
    }

    [Theory]
    [InlineData("a=sendonly\r\n", "10.0.0.5", SdpDirection.RecvOnly, true)]
    [InlineData("a=inactive\r\n", "10.0.0.5", SdpDirection.Inactive, true)]
    [InlineData("a=recvonly\r\n", "10.0.0.5", SdpDirection.SendOnly, false)]
    [InlineData("a=sendrecv\r\n", "0.0.0.0", SdpDirection.RecvOnly, true)]
    [InlineData("a=recvonly\r\n", "0.0.0.0", SdpDirection.Inactive, true)]
    [InlineData("", "10.0.0.5", SdpDirection.SendRecv, false)]
    public void Hold_re_offers_are_mirrored(string direction, string address, SdpDirection expected, bool hold)
    {
        SdpAnswerResult result = SdpNegotiator.Answer(Offer("0", direction, address, version: 2), Local(version: 2));

        Assert.Equal(expected, result.Choice!.Direction);
        Assert.Equal(hold, result.Choice.IsHold);
        Assert.Contains($"a={expected.ToAttribute()}\r\n", result.Answer!.ToString(), StringComparison.Ordinal);
        Assert.Equal(2ul, result.Answer.Origin.SessionVersion);
    }

    [Fact]
    public void Session_level_hold_is_recognised()
    {
        SdpSession offer = Parse("v=0\r\no=- 1 2 IN IP4 h\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\n");

        SdpMediaChoice choice = SdpNegotiator.Answer(offer, Local(2)).Choice!;

        Assert.Equal(SdpDirection.RecvOnly, choice.Direction);
        Assert.True(choice.IsHold);
        Assert.False(choice.Sends);
        Assert.True(choice.Receives);
    }

    [Fact]
    public void Hold_then_resume_then_codec_change_keeps_one_stream()
    {
        SdpLocal local = Local();
        SdpMediaChoice first = SdpNegotiator.Answer(Offer("0 8"), local).Choice!;
        SdpMediaChoice held = SdpNegotiator.Answer(Offer("0 8", "a=sendonly\r\n", version: 2), local with { SessionVersion = 2 }).Choice!;
        SdpMediaChoice resumed = SdpNegotiator.Answer(Offer("8", "a=sendrecv\r\n", version: 3), local with { SessionVersion = 3 }).Choice!;

        Assert.Equal((SdpCodec.Pcmu, false), (first.Codec, first.IsHold));
        Assert.Equal((SdpCodec.Pcmu, true), (held.Codec, held.IsHold));
        Assert.Equal((SdpCodec.Pcma, false, SdpDirection.SendRecv), (resumed.Codec, resumed.IsHold, resumed.Direction));
    }

    [Fact]
    public void Ipv6_advertised_address_writes_ip6_lines()
    {
        SdpSession answer = SdpNegotiator.Answer(Offer("0"), new SdpLocal("2001:db8::1", 30000, 9, 1)).Answer!;

        Assert.Contains("o=voicebridge 9 1 IN IP6 2001:db8::1\r\n", answer.ToString(), StringComparison.Ordinal);
        Assert.Contains("c=IN IP6 2001:db8::1\r\n", answer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_parses_back()
    {
        SdpSession answer = SdpNegotiator.Answer(Parse(BaresipOffer), Local()).Answer!;

        Assert.Equal(answer.ToString(), Parse(answer.ToString()).ToString());
    }
}
