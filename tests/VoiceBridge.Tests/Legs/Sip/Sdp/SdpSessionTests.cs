using VoiceBridge.Legs.Sip.Sdp;

namespace VoiceBridge.Tests.Legs.Sip.Sdp;

public sealed class SdpSessionTests
{
    [Fact]
    public void Parses_the_sipp_offer()
    {
        SdpSession sdp = SdpTestData.Parse(SdpTestData.SippOffer);

        Assert.Equal(new SdpOrigin("user1", "53655765", 2353687637, "IN", "IP4", "127.0.0.1"), sdp.Origin);
        Assert.Equal("-", sdp.SessionName);
        Assert.Equal(new SdpConnection("IN", "IP4", "127.0.0.1"), sdp.Connection);
        Assert.Equal("0 0", sdp.Timing);
        SdpMedia audio = Assert.Single(sdp.Media);
        Assert.Equal("audio", audio.Media);
        Assert.Equal(6000, audio.Port);
        Assert.Equal("RTP/AVP", audio.Protocol);
        Assert.Equal(["0"], audio.Formats);
        Assert.Equal(new SdpRtpMap(0, "PCMU", 8000), audio.FindRtpMap(0));
        Assert.Equal(20, audio.Ptime);
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
    }

    [Fact]
    public void Parses_a_baresip_like_offer_keeping_unknown_attributes()
    {
        SdpSession sdp = SdpTestData.Parse(SdpTestData.BaresipOffer);

        Assert.Equal(2, sdp.Media.Count);
        SdpMedia audio = sdp.Media[0];
        Assert.Equal(["96", "0", "8", "101"], audio.Formats);
        Assert.Equal(new SdpRtpMap(96, "opus", 48000, 2), audio.FindRtpMap(96));
        Assert.Equal("stereo=1;sprop-stereo=1", audio.FindFmtp("96"));
        Assert.Equal("0-15", audio.FindFmtp("101"));
        Assert.Contains(new SdpAttribute("rtcp-mux", null), audio.Attributes);
        Assert.Contains(new SdpAttribute("label", "1"), audio.Attributes);
        Assert.Equal(SdpDirection.SendRecv, audio.EffectiveDirection(sdp));
        Assert.Equal("video", sdp.Media[1].Media);
        Assert.Equal(new SdpConnection("IN", "IP4", "192.168.1.20"), sdp.Media[1].EffectiveConnection(sdp));
    }

    [Fact]
    public void Media_level_connection_and_direction_override_the_session()
    {
        const string text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=sendonly\r\n"
            + "m=audio 5004 RTP/AVP 0\r\nc=IN IP4 10.0.0.2/127\r\na=inactive\r\n"
            + "m=audio 5006 RTP/AVP 0\r\n";

        SdpSession sdp = SdpTestData.Parse(text);

        Assert.Equal("10.0.0.2", sdp.Media[0].EffectiveConnection(sdp)!.Address);
        Assert.Equal(SdpDirection.Inactive, sdp.Media[0].EffectiveDirection(sdp));
        Assert.Equal("10.0.0.1", sdp.Media[1].EffectiveConnection(sdp)!.Address);
        Assert.Equal(SdpDirection.SendOnly, sdp.Media[1].EffectiveDirection(sdp));
    }

    [Fact]
    public void Written_description_parses_back_to_the_same_text()
    {
        SdpSession sdp = SdpTestData.Parse(SdpTestData.BaresipOffer);

        string written = sdp.ToString();

        Assert.EndsWith("\r\n", written, StringComparison.Ordinal);
        Assert.Equal(written, SdpTestData.Parse(written).ToString());
        Assert.Contains("a=rtpmap:96 opus/48000/2\r\n", written, StringComparison.Ordinal);
        Assert.Contains("m=video 10002 RTP/AVP 100\r\n", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_bare_lf_and_decimal_ptime()
    {
        SdpSession sdp = SdpTestData.Parse("v=0\no=- 1 2 IN IP4 h\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 8\na=ptime:20.0\n");

        Assert.Equal(20, sdp.Media[0].Ptime);
        Assert.Equal(2ul, sdp.Origin.SessionVersion);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("o=- 1 1 IN IP4 h\r\n", "must be v=0")]
    [InlineData("v=1\r\n", "must be v=0")]
    [InlineData("v=0\r\n", "missing o=")]
    [InlineData("v=0\r\ns=-\r\n", "must be the o= line")]
    [InlineData("v=0\r\no=- 1 IN IP4 h\r\n", "o= needs")]
    [InlineData("v=0\r\no=- 1 x IN IP4 h\r\n", "session version is not a number")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nc=IN IP4\r\n", "c= needs")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 70000 RTP/AVP 0\r\n", "port is not a number")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP\r\n", "m= needs")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus\r\n", "rtpmap needs")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:300 x/8000\r\n", "rtpmap needs")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 x/0\r\n", "clock rate")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 96\r\na=ptime:abc\r\n", "ptime")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nm=audio 4000 RTP/AVP 96\r\na=fmtp:96\r\n", "fmtp needs")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 h\r\nnonsense\r\n", "not <type>=<value>")]
    public void Malformed_descriptions_are_rejected_with_a_reason(string text, string expected)
    {
        Assert.False(SdpSession.TryParse(text, out SdpSession? sdp, out string? error));

        Assert.Null(sdp);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_descriptions_are_refused_before_parsing()
    {
        string huge = "v=0\r\no=- 1 1 IN IP4 h\r\n" + string.Concat(Enumerable.Repeat("a=x\r\n", SdpSession.MaxLines));
        string tooManyMedia = "v=0\r\no=- 1 1 IN IP4 h\r\n" + string.Concat(Enumerable.Repeat("m=audio 1 RTP/AVP 0\r\n", SdpSession.MaxMedia + 1));

        Assert.False(SdpSession.TryParse(huge, out _, out string? lines));
        Assert.False(SdpSession.TryParse(new string('a', SdpSession.MaxLength + 1), out _, out string? length));
        Assert.False(SdpSession.TryParse(tooManyMedia, out _, out string? media));

        Assert.Contains("lines", lines, StringComparison.Ordinal);
        Assert.Contains("characters", length, StringComparison.Ordinal);
        Assert.Contains("m= lines", media, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_text_never_throws()
    {
        var random = new Random(8866);
        string alphabet = "vosctma= :/0123456789RTP/AVPaudioIN IP4\r\n";
        for (int i = 0; i < 5_000; i++)
        {
            char[] chars = new char[random.Next(200)];
            for (int c = 0; c < chars.Length; c++)
            {
                chars[c] = alphabet[random.Next(alphabet.Length)];
            }

            string text = "v=0\r\no=- 1 1 IN IP4 h\r\n" + new string(chars);
            bool ok = SdpSession.TryParse(text, out SdpSession? sdp, out string? error);
            Assert.Equal(ok, sdp is not null);
            Assert.Equal(ok, error is null);
        }
    }
}
