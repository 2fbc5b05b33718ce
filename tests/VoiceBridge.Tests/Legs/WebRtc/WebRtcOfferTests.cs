using CsCheck;
using VoiceBridge.Legs.Sip.Sdp;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>Reading browser offers, and refusing the ones the leg cannot answer with a reason and a status.</summary>
public sealed class WebRtcOfferTests
{
    [Fact]
    public void Chromiums_offer_yields_everything_the_answer_and_ice_need()
    {
        WebRtcOffer offer = Parse(WebRtcTestOffers.Chromium);

        Assert.Equal("0", offer.AudioMid);
        Assert.Equal(["0"], offer.Bundle);
        Assert.Equal("EuwZ", offer.IceUfrag);
        Assert.Equal("DRC6U7zlZn0LO5U/qjU2PrQu", offer.IcePwd);
        Assert.Equal(WebRtcOfferSetup.ActPass, offer.Setup);
        Assert.Equal(SdpDirection.SendRecv, offer.AudioDirection);
        Assert.Equal("CA:34:1C:C2:60:F3:8D:84:74:75:47:27:69:5F:0A:D0:ED:85:02:CC:77:4E:9E:C4:EC:15:A0:DE:07:4C:B9:3B", offer.Fingerprint);
        Assert.Equal(Convert.FromHexString(offer.Fingerprint.Replace(":", "", StringComparison.Ordinal)), offer.FingerprintSha256.ToArray());
        Assert.Equal([111, 63, 9, 0, 8, 13, 110, 126], offer.AudioPayloadTypes.Select(p => p.PayloadType));
        Assert.Equal(new WebRtcPayloadType(111, "opus", 48000, 2, "minptime=10;useinbandfec=1"), offer.Opus);
        Assert.Equal(0, offer.Pcmu?.PayloadType);
        Assert.Equal(110, offer.TelephoneEvent(48000)?.PayloadType);
        Assert.Equal(126, offer.TelephoneEvent(8000)?.PayloadType);
        Assert.Equal(8, offer.Candidates.Count);
        Assert.Equal(new WebRtcCandidate("1420685384", 1, "udp", 2122194687, "127.0.0.1", 44903, "host"), offer.Candidates[0]);
    }

    [Fact]
    public void With_video_the_audio_line_is_found_and_the_video_kept_for_rejection()
    {
        WebRtcOffer offer = Parse(WebRtcTestOffers.ChromiumWithVideo);

        Assert.Equal(0, offer.AudioIndex);
        Assert.Equal(["0", "1"], offer.Bundle);
        Assert.Equal("video", offer.Sdp.Media[1].Media);
    }

    [Fact]
    public void Session_level_ice_and_fingerprint_static_pcmu_and_no_candidates_are_accepted()
    {
        WebRtcOffer offer = Parse(WebRtcTestOffers.Minimal);

        Assert.Equal("abcd", offer.IceUfrag);
        Assert.Equal("0123456789abcdefghijkl", offer.IcePwd);
        Assert.Equal(0x00, offer.FingerprintSha256.Span[0]);
        Assert.Equal(0xFF, offer.FingerprintSha256.Span[31]);
        Assert.Equal(111, offer.Opus?.PayloadType);
        Assert.Equal(new WebRtcPayloadType(0, "PCMU", 8000, 1, null), offer.Pcmu);
        Assert.Null(offer.TelephoneEvent(48000));
        Assert.Empty(offer.Candidates);
    }

    [Fact]
    public void Media_level_ice_credentials_override_session_level_ones()
    {
        string text = WebRtcTestOffers.Minimal + "a=ice-ufrag:WXYZ\r\na=ice-pwd:zyxwvutsrqponmlkjihgfe\r\n";

        WebRtcOffer offer = Parse(text);

        Assert.Equal("WXYZ", offer.IceUfrag);
        Assert.Equal("zyxwvutsrqponmlkjihgfe", offer.IcePwd);
    }

    [Theory]
    [InlineData("garbage", WebRtcOfferProblem.Malformed, 400, "malformed SDP")]
    [InlineData("", WebRtcOfferProblem.Malformed, 400, "empty")]
    [InlineData("ufrag", WebRtcOfferProblem.MissingIceCredentials, 400, "ice-ufrag")]
    [InlineData("pwd", WebRtcOfferProblem.MissingIceCredentials, 400, "ice-pwd")]
    [InlineData("short-pwd", WebRtcOfferProblem.Malformed, 400, "ice-pwd must be 22")]
    [InlineData("fingerprint", WebRtcOfferProblem.MissingFingerprint, 400, "no a=fingerprint")]
    [InlineData("bad-fingerprint", WebRtcOfferProblem.Malformed, 400, "32 colon-separated hex bytes")]
    [InlineData("sha-1", WebRtcOfferProblem.Unsupported, 422, "no sha-256")]
    [InlineData("no-audio", WebRtcOfferProblem.NoAudio, 422, "no active m=audio")]
    [InlineData("rtp-avp", WebRtcOfferProblem.NoAudio, 422, "RTP/AVP")]
    [InlineData("codecs", WebRtcOfferProblem.NoSupportedCodec, 422, "neither opus/48000/2 nor PCMU/8000")]
    [InlineData("mono-opus", WebRtcOfferProblem.NoSupportedCodec, 422, "neither")]
    [InlineData("rtcp-mux", WebRtcOfferProblem.NoRtcpMux, 422, "rtcp-mux")]
    [InlineData("passive", WebRtcOfferProblem.Unsupported, 422, "DTLS server only")]
    [InlineData("holdconn", WebRtcOfferProblem.Unsupported, 422, "holdconn asks for no DTLS connection")]
    [InlineData("holdconn-typo", WebRtcOfferProblem.Malformed, 400, "a=setup:sideways is not one of")]
    [InlineData("ice-lite", WebRtcOfferProblem.Unsupported, 422, "ice-lite")]
    [InlineData("candidate", WebRtcOfferProblem.Malformed, 400, "a=candidate")]
    [InlineData("payload-type", WebRtcOfferProblem.Malformed, 400, "'x' is not an RTP payload type")]
    public void Unanswerable_offers_are_refused_with_a_reason_and_status(string fault, WebRtcOfferProblem problem, int status, string reason)
    {
        string chromium = WebRtcTestOffers.Chromium;
        string text = fault switch
        {
            "garbage" => "this is not SDP",
            "" => "",
            "ufrag" => chromium.Without("a=ice-ufrag"),
            "pwd" => chromium.Without("a=ice-pwd"),
            "short-pwd" => chromium.ReplaceLine("a=ice-pwd", "a=ice-pwd:tooshort"),
            "fingerprint" => chromium.Without("a=fingerprint"),
            "bad-fingerprint" => chromium.ReplaceLine("a=fingerprint", "a=fingerprint:sha-256 CA:34:1C"),
            "sha-1" => chromium.ReplaceLine("a=fingerprint", "a=fingerprint:sha-1 CA:34:1C:C2:60:F3:8D:84:74:75:47:27:69:5F:0A:D0:ED:85:02:CC"),
            "no-audio" => chromium.ReplaceLine("m=audio", "m=audio 0 UDP/TLS/RTP/SAVPF 111 0"),
            "rtp-avp" => chromium.ReplaceLine("m=audio", "m=audio 9 RTP/AVP 0"),
            "codecs" => chromium.ReplaceLine("m=audio", "m=audio 9 UDP/TLS/RTP/SAVPF 9 8 13"),
            "mono-opus" => WebRtcTestOffers.Minimal.ReplaceLine("m=audio", "m=audio 9 UDP/TLS/RTP/SAVPF 111").ReplaceLine("a=rtpmap:111", "a=rtpmap:111 opus/48000"),
            "rtcp-mux" => chromium.Without("a=rtcp-mux"),
            "passive" => chromium.ReplaceLine("a=setup", "a=setup:passive"),
            "holdconn" => chromium.ReplaceLine("a=setup", "a=setup:holdconn"),
            "holdconn-typo" => chromium.ReplaceLine("a=setup", "a=setup:sideways"),
            "ice-lite" => chromium.ReplaceLine("t=0 0", "t=0 0\r\na=ice-lite"),
            "candidate" => chromium.ReplaceLine("a=candidate", "a=candidate:1 1 udp high 127.0.0.1 5000 typ host"),
            "payload-type" => chromium.ReplaceLine("m=audio", "m=audio 9 UDP/TLS/RTP/SAVPF 111 x"),
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };

        Assert.False(WebRtcOffer.TryParse(text, out WebRtcOffer? offer, out WebRtcOfferError? error));

        Assert.Null(offer);
        Assert.Equal(problem, error!.Problem);
        Assert.Equal(status, error.HttpStatus);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_setup_means_the_browser_is_active_and_a_sendonly_offer_is_kept()
    {
        WebRtcOffer offer = Parse(WebRtcTestOffers.Chromium.Without("a=setup").ReplaceLine("a=sendrecv", "a=sendonly"));

        Assert.Equal(WebRtcOfferSetup.Active, offer.Setup);
        Assert.Equal(SdpDirection.SendOnly, offer.AudioDirection);
    }

    [Fact]
    public void Random_and_mutated_offers_never_throw()
    {
        string chromium = WebRtcTestOffers.Chromium;
        Gen.String.Sample(text => Survives(text), iter: 2000);
        Gen.Select(Gen.Int[0, chromium.Length - 1], Gen.Int[1, 40], Gen.String[0, 20])
            .Sample(m => Survives(chromium.Remove(m.Item1, Math.Min(m.Item2, chromium.Length - m.Item1)).Insert(m.Item1, m.Item3)), iter: 3000);
    }

    private static bool Survives(string text)
    {
        bool parsed = WebRtcOffer.TryParse(text, out WebRtcOffer? offer, out WebRtcOfferError? error);
        return parsed ? offer is not null && error is null : offer is null && error is { Message.Length: > 0 };
    }

    internal static WebRtcOffer Parse(string text)
    {
        Assert.True(WebRtcOffer.TryParse(text, out WebRtcOffer? offer, out WebRtcOfferError? error), error?.Message);
        return offer!;
    }
}
