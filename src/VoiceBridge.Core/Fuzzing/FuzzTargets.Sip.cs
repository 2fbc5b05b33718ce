using System.Text;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Legs.Sip.Sdp;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Fuzzing;

public static partial class FuzzTargets
{
    private const string PhoneOffer =
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 198.51.100.7\r\ns=call\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";

    private const string BrowserOffer =
        "v=0\r\no=- 360279342355978846 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=extmap-allow-mixed\r\n" +
        "a=msid-semantic: WMS bd6bb5cc\r\nm=audio 44903 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 127.0.0.1\r\n" +
        "a=rtcp:9 IN IP4 0.0.0.0\r\na=candidate:1420685384 1 udp 2122194687 127.0.0.1 44903 typ host generation 0 network-id 3 network-cost 50\r\n" +
        "a=candidate:1166140096 1 udp 2122267903 ::1 55739 typ host generation 0 network-id 4 network-cost 50\r\n" +
        "a=candidate:2852594908 1 tcp 1518214911 127.0.0.1 9 typ host tcptype active generation 0 network-id 3\r\n" +
        "a=ice-ufrag:EuwZ\r\na=ice-pwd:DRC6U7zlZn0LO5U/qjU2PrQu\r\na=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 CA:34:1C:C2:60:F3:8D:84:74:75:47:27:69:5F:0A:D0:ED:85:02:CC:77:4E:9E:C4:EC:15:A0:DE:07:4C:B9:3B\r\n" +
        "a=setup:actpass\r\na=mid:0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=sendrecv\r\na=rtcp-mux\r\na=rtcp-rsize\r\n" +
        "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:63 red/48000/2\r\n" +
        "a=fmtp:63 111/111\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\n" +
        "a=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\na=ssrc:1721911131 cname:MbXGHL0q1M3sFpf/\r\n";

    private const string Invite =
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK1234, SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bK77;received=2001:db8::9\r\n" +
        "Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: \"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nCSeq: 314159 INVITE\r\n" +
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n" +
        "Record-Route: <sip:[2001:db8::1]:5062;lr;transport=udp>\r\n" +
        "Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>;expires=60\r\n" +
        "Authorization: Digest username=\"alice\", realm=\"atlanta.example.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", " +
        "uri=\"sip:bob@biloxi.example.com\", response=\"7587245234b3434cc3412213e5f113a5\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\"\r\n" +
        "Content-Type: application/sdp\r\n";

    private const string Unauthorized =
        "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;received=192.0.2.10;rport=5060\r\n" +
        "From: <sip:bridge@registrar.example.com>;tag=a73kszlfl\r\nTo: <sip:bridge@registrar.example.com>;tag=1410948204\r\n" +
        "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10\r\nCSeq: 1 REGISTER\r\n" +
        "WWW-Authenticate: Digest realm=\"registrar.example.com\", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", opaque=\"\", stale=FALSE, algorithm=SHA-256, qop=\"auth,auth-int\"\r\n" +
        "Content-Length: 0\r\n\r\n";

    private const string Info =
        "INFO sip:bridge@192.0.2.10:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-info-1\r\nMax-Forwards: 70\r\n" +
        "From: <sip:alice@atlanta.example.com>;tag=1928301774\r\nTo: <sip:bridge@192.0.2.10>;tag=vb-1\r\nCall-ID: a84b4c76e66710@pc33\r\n" +
        "CSeq: 314161 INFO\r\nContent-Type: application/dtmf-relay\r\nContent-Length: 24\r\n\r\nSignal=5\r\nDuration=160\r\n";

    private const string Bye =
        "BYE sip:bridge@192.0.2.10:5060 SIP/2.0\nv: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK-bye\nf: <sip:alice@atlanta.example.com>;tag=19\n" +
        "t: <sip:bridge@192.0.2.10>;tag=vb-1\ni: a84b4c76e66710@pc33\nCSeq: 314162 BYE\nl: 0\n\n";

    private static readonly SdpLocal Local = new("192.0.2.10", 40000, 1, 1);

    private static FuzzTarget Sip() => new(
        "sip",
        "SipParser.Parse (RFC 3261 messages) and every typed header view of a parsed message, digest challenges and credentials",
        Utf8(
            Invite + $"Content-Length: {PhoneOffer.Length}\r\n\r\n" + PhoneOffer,
            Unauthorized,
            Info,
            Bye,
            "\r\n\r\n",
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 2 OPTIONS\r\nContact: *\r\nContent-Length: 0\r\n\r\n",
            "ACK sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33;branch=z9hG4bK2\r\nMax-Forwards: 70\r\nRoute: <sip:p1.example.com;lr>\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: y\r\nCSeq: 314159 ACK\r\nContent-Length: 0\r\n\r\n"),
        ParseSip)
    {
        Dictionary = Utf8("\r\n", "\r\n ", "Content-Length: ", "Via: SIP/2.0/UDP ", ";branch=z9hG4bK", ";rport", ";received=", "sip:", "sips:", "tel:",
            "<", ">", "\"", "[2001:db8::1]", ":5060", "Contact: ", "Route: ", "Record-Route: ", "CSeq: ", "Max-Forwards: ", "Call-ID: ",
            "WWW-Authenticate: Digest ", "Authorization: Digest ", "nonce=", "qop=", ", ", ";", "=", "%00", "SIP/2.0"),

        // Linear, about 18 bytes per input byte: each header line as a UTF-16 string and its typed view, and the
        // target parses twice (the message and its ToBytes).
        MaxAllocatedBytes = 2 << 20,
    };

    private static void ParseSip(ReadOnlySpan<byte> input)
    {
        SipParseResult result = SipParser.Parse(input);
        if (result.Message is not { } m)
        {
            return;
        }

        // The parser promises every typed view of a message it returns reads without throwing.
        _ = (m.CallId, m.CSeq, m.Vias, m.TopVia, m.From, m.To, m.Contacts, m.RecordRoute, m.Route, m.MaxForwards, m.ParsedRequestUri, m.Method);
        foreach (string challenge in m.Headers.GetAll("WWW-Authenticate"))
        {
            _ = SipDigestChallenge.TryParse(challenge, out _, out _);
        }

        foreach (string credentials in m.Headers.GetAll("Authorization"))
        {
            _ = SipDigestCredentials.TryParse(credentials, out _, out _);
        }

        _ = DtmfRelay.TryParse(m.Headers.Get("Content-Type"), Encoding.UTF8.GetString(m.Body), out _);
        _ = SipBody.FindSdp(m.Headers.Get("Content-Type"), m.Body);
        _ = SipParser.Parse(m.ToBytes());
    }

    private static FuzzTarget Sdp() => new(
        "sdp",
        "SdpSession.TryParse (RFC 8866) and the RFC 3264 answer the SIP leg builds from an offer",
        Utf8(PhoneOffer, BrowserOffer, "v=0\r\no=- 1 1 IN IP6 2001:db8::7\r\ns=-\r\nc=IN IP6 2001:db8::7\r\nt=0 0\r\nm=audio 5004 RTP/AVP 8\r\na=recvonly\r\n"),
        input =>
        {
            if (SdpSession.TryParse(Encoding.UTF8.GetString(input), out SdpSession? offer, out _))
            {
                _ = SdpNegotiator.Answer(offer!, Local);
            }
        })
    {
        Dictionary = Utf8("\r\n", "\n", "m=audio ", "m=video ", "c=IN IP4 ", "c=IN IP6 ", "a=rtpmap:", "a=fmtp:", "a=ptime:", "a=sendonly", "a=inactive",
            " RTP/AVP ", "/8000", "telephone-event", "PCMU", "PCMA", "b=AS:", "t=", "o=", "a=rtcp:"),
        MaxInputBytes = SipParser.MaxMessageBytes,

        // Linear, about 17 bytes per input byte: every line and attribute becomes its own string and record.
        MaxAllocatedBytes = 2 << 20,
    };

    private static FuzzTarget WebRtcOfferTarget() => new(
        "webrtc-offer",
        "WebRtcOffer.TryParse: a browser's WHIP offer (SDP plus ICE, DTLS fingerprint, BUNDLE checks)",
        Utf8(BrowserOffer),
        input => _ = WebRtcOffer.TryParse(Encoding.UTF8.GetString(input), out _, out _))
    {
        Dictionary = Utf8("\r\n", "a=candidate:", "a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:sha-256 ", "a=setup:", "a=mid:", "a=group:BUNDLE ",
            "m=audio ", "m=video ", "UDP/TLS/RTP/SAVPF", " typ host", "a=rtpmap:111 opus/48000/2"),
        MaxInputBytes = 64 * 1024,

        // Linear, about 17 bytes per input byte: every line and attribute becomes its own string and record.
        MaxAllocatedBytes = 2 << 20,
    };
}
