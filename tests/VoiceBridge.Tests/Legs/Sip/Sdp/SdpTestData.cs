using VoiceBridge.Legs.Sip.Sdp;

namespace VoiceBridge.Tests.Legs.Sip.Sdp;

internal static class SdpTestData
{
    /// <summary>The body of /work/shared/interop/sipp-uac-pcmu-stream.xml's INVITE, with sipp's keywords filled in.</summary>
    public const string SippOffer =
        "v=0\r\n"
        + "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
        + "s=-\r\n"
        + "c=IN IP4 127.0.0.1\r\n"
        + "t=0 0\r\n"
        + "m=audio 6000 RTP/AVP 0\r\n"
        + "a=rtpmap:0 PCMU/8000\r\n"
        + "a=ptime:20\r\n"
        + "a=sendrecv\r\n";

    /// <summary>The shape baresip offers: opus first, G.711, telephone-event, and a video stream.</summary>
    public const string BaresipOffer =
        "v=0\r\n"
        + "o=- 1234567890 987654321 IN IP4 192.168.1.20\r\n"
        + "s=-\r\n"
        + "c=IN IP4 192.168.1.20\r\n"
        + "t=0 0\r\n"
        + "m=audio 10000 RTP/AVP 96 0 8 101\r\n"
        + "b=AS:64\r\n"
        + "a=rtpmap:96 opus/48000/2\r\n"
        + "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
        + "a=rtpmap:0 PCMU/8000\r\n"
        + "a=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\n"
        + "a=fmtp:101 0-15\r\n"
        + "a=rtcp-mux\r\n"
        + "a=label:1\r\n"
        + "a=ptime:20\r\n"
        + "a=sendrecv\r\n"
        + "m=video 10002 RTP/AVP 100\r\n"
        + "a=rtpmap:100 H264/90000\r\n"
        + "a=sendrecv\r\n";

    public static SdpLocal Local(ulong version = 1) => new("203.0.113.10", 20000, 42, version);

    public static SdpSession Parse(string text)
    {
        Assert.True(SdpSession.TryParse(text, out SdpSession? sdp, out string? error), error);
        return sdp!;
    }

    /// <summary>A one-stream offer from 10.0.0.5:4000 with the given format list, extra lines and connection address.</summary>
    public static SdpSession Offer(string formats, string extra = "", string address = "10.0.0.5", ulong version = 1) => Parse(
        $"v=0\r\no=caller 77 {version} IN IP4 10.0.0.5\r\ns=call\r\nc=IN IP4 {address}\r\nt=0 0\r\nm=audio 4000 RTP/AVP {formats}\r\n{extra}");
}
