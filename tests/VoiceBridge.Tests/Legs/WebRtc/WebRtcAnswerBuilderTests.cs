using System.Net;
using VoiceBridge.Legs.Sip.Sdp;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>The answer an ICE-lite, DTLS-server, audio-only endpoint gives to browser offers.</summary>
public sealed class WebRtcAnswerBuilderTests
{
    private const string OurFingerprint = "0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9:0a:1b:2c:3d:4e:5f:60:71:82:93:a4:b5:c6:d7:e8:f9";

    internal static readonly WebRtcAnswerParameters Ours =
        new("Vb01", "voicebridgeicepassword1", OurFingerprint, IPAddress.Loopback, 40000) { SessionId = 42 };

    [Fact]
    public void Chromiums_offer_gets_an_ice_lite_opus_answer_line_for_line()
    {
        WebRtcAnswer answer = WebRtcAnswerBuilder.Build(WebRtcOfferTests.Parse(WebRtcTestOffers.Chromium), Ours);

        Assert.Equal(
            "v=0\r\n" +
            "o=- 42 1 IN IP4 127.0.0.1\r\n" +
            "s=-\r\n" +
            "c=IN IP4 127.0.0.1\r\n" +
            "t=0 0\r\n" +
            "a=ice-lite\r\n" +
            "a=group:BUNDLE 0\r\n" +
            "m=audio 40000 UDP/TLS/RTP/SAVPF 111 110\r\n" +
            "a=rtpmap:111 opus/48000/2\r\n" +
            "a=rtpmap:110 telephone-event/48000\r\n" +
            "a=fmtp:111 minptime=10\r\n" +
            "a=fmtp:110 0-15\r\n" +
            "a=ptime:20\r\n" +
            "a=mid:0\r\n" +
            "a=ice-ufrag:Vb01\r\n" +
            "a=ice-pwd:voicebridgeicepassword1\r\n" +
            "a=fingerprint:sha-256 " + OurFingerprint.ToUpperInvariant() + "\r\n" +
            "a=setup:passive\r\n" +
            "a=rtcp-mux\r\n" +
            "a=msid:voicebridge voicebridge-audio\r\n" +
            "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n" +
            "a=end-of-candidates\r\n" +
            "a=sendrecv\r\n",
            answer.Sdp);
        Assert.Equal(new WebRtcAnswer(answer.Sdp, "0", WebRtcAudioCodec.Opus, 111, 48000, 110, SdpDirection.SendRecv), answer);
        Assert.Equal(960, answer.TimestampUnitsPerFrame);
    }

    [Fact]
    public void Preferring_pcmu_answers_pcmu_with_the_8khz_telephone_event()
    {
        WebRtcAnswer answer = WebRtcAnswerBuilder.Build(
            WebRtcOfferTests.Parse(WebRtcTestOffers.Chromium), Ours with { Preference = WebRtcCodecPreference.Pcmu });

        SdpMedia audio = ParseAnswer(answer.Sdp).Media.Single();
        Assert.Equal(["0", "126"], audio.Formats);
        Assert.Equal([new SdpRtpMap(0, "PCMU", 8000), new SdpRtpMap(126, "telephone-event", 8000)], audio.RtpMaps);
        Assert.Equal((WebRtcAudioCodec.Pcmu, 0, 8000, 126), (answer.Codec, answer.PayloadType, answer.ClockRate, answer.TelephoneEventPayloadType));
        Assert.Equal(160, answer.TimestampUnitsPerFrame);
    }

    [Fact]
    public void Without_opus_the_answer_is_pcmu_whatever_the_preference_and_telephone_event_only_at_a_matching_rate()
    {
        string pcmuOnly = WebRtcTestOffers.Chromium.ReplaceLine("m=audio", "m=audio 9 UDP/TLS/RTP/SAVPF 0 110");

        WebRtcAnswer answer = WebRtcAnswerBuilder.Build(WebRtcOfferTests.Parse(pcmuOnly), Ours);

        Assert.Equal(WebRtcAudioCodec.Pcmu, answer.Codec);
        Assert.Null(answer.TelephoneEventPayloadType);
        Assert.Equal(["0"], ParseAnswer(answer.Sdp).Media.Single().Formats);
    }

    [Fact]
    public void Video_is_rejected_with_port_zero_inactive_and_its_mid_and_leaves_the_bundle_group()
    {
        WebRtcAnswer answer = WebRtcAnswerBuilder.Build(WebRtcOfferTests.Parse(WebRtcTestOffers.ChromiumWithVideo), Ours);

        SdpSession sdp = ParseAnswer(answer.Sdp);
        Assert.Equal(2, sdp.Media.Count);
        SdpMedia video = sdp.Media[1];
        Assert.Equal(("video", 0, WebRtcOffer.Profile, SdpDirection.Inactive), (video.Media, video.Port, video.Protocol, video.Direction));
        Assert.Equal(["96"], video.Formats);
        Assert.Equal([new SdpAttribute("mid", "1")], video.Attributes);
        Assert.Contains(new SdpAttribute("group", "BUNDLE 0"), sdp.Attributes);
        Assert.Equal(40000, sdp.Media[0].Port);
    }

    [Fact]
    public void A_sendonly_offer_is_answered_recvonly_and_an_unbundled_offer_without_a_group()
    {
        string offer = WebRtcTestOffers.Chromium.ReplaceLine("a=sendrecv", "a=sendonly").Without("a=group:BUNDLE");

        WebRtcAnswer answer = WebRtcAnswerBuilder.Build(WebRtcOfferTests.Parse(offer), Ours);

        SdpSession sdp = ParseAnswer(answer.Sdp);
        Assert.Equal(SdpDirection.RecvOnly, sdp.Media[0].Direction);
        Assert.DoesNotContain(sdp.Attributes, a => a.Name == "group");
        Assert.Contains(new SdpAttribute("mid", "0"), sdp.Media[0].Attributes);
    }

    [Fact]
    public void An_ipv6_address_is_written_as_ip6()
    {
        WebRtcAnswer answer = WebRtcAnswerBuilder.Build(WebRtcOfferTests.Parse(WebRtcTestOffers.Chromium), Ours with { Address = IPAddress.IPv6Loopback });

        Assert.Contains("c=IN IP6 ::1\r\n", answer.Sdp, StringComparison.Ordinal);
        Assert.Contains("a=candidate:1 1 udp 2130706431 ::1 40000 typ host\r\n", answer.Sdp, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_parameters_are_refused_naming_each_member()
    {
        var bad = new WebRtcAnswerParameters("ab", "short", "AB:CD", IPAddress.Any, 0) { MediaStreamId = "" };

        ArgumentException error = Assert.Throws<ArgumentException>(() => WebRtcAnswerBuilder.Build(WebRtcOfferTests.Parse(WebRtcTestOffers.Chromium), bad));

        foreach (string member in new[] { "IceUfrag", "IcePwd", "FingerprintSha256", "Address", "Port", "MediaStreamId" })
        {
            Assert.Contains(member, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Session_ids_are_random_by_default()
    {
        var a = new WebRtcAnswerParameters("Vb01", "voicebridgeicepassword1", OurFingerprint, IPAddress.Loopback, 40000);
        var b = a with { };
        var c = new WebRtcAnswerParameters("Vb01", "voicebridgeicepassword1", OurFingerprint, IPAddress.Loopback, 40000);

        Assert.Equal(a.SessionId, b.SessionId);
        Assert.NotEqual(a.SessionId, c.SessionId);
    }

    private static SdpSession ParseAnswer(string text)
    {
        Assert.True(SdpSession.TryParse(text, out SdpSession? sdp, out string? error), error);
        return sdp!;
    }
}
