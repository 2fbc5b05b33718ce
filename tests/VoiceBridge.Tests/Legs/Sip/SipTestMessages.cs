using System.Text;
using VoiceBridge.Legs.Sip;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>Fixtures and comparisons shared by the SIP message-layer tests.</summary>
internal static class SipTestMessages
{
    /// <summary>A plain, valid INVITE with an SDP body, CRLF line ends.</summary>
    public const string Invite =
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK1234, SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bK77;received=2001:db8::9\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: \"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n" +
        "Record-Route: <sip:[2001:db8::1]:5062;lr;transport=udp>\r\n" +
        "Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>;expires=60\r\n" +
        "Timestamp: 54\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 21\r\n" +
        "\r\n" +
        "v=0\r\no=- 1 1 IN IP4 x";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static SipMessage ParseOk(string text) => ParseOk(Bytes(text));

    public static SipMessage ParseOk(byte[] bytes)
    {
        SipParseResult result = SipParser.Parse(bytes);
        Assert.True(result.Ok, $"expected a message, got error: {result.Error}");
        Assert.Null(result.Error);
        return result.Message!;
    }

    public static string TorturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Legs", "Sip", "Torture", name + ".dat");

    public static SipParseResult Torture(string name) => SipParser.Parse(File.ReadAllBytes(TorturePath(name)));

    /// <summary>
    /// Same start line, same headers in the same order (Content-Length compared by value only, since
    /// ToBytes writes it), same body: what "parse(ToBytes(m)) == m" means for a message.
    /// </summary>
    public static void AssertSameMessage(SipMessage expected, SipMessage actual)
    {
        Assert.Equal(expected.IsRequest, actual.IsRequest);
        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.RequestUri, actual.RequestUri);
        Assert.Equal(expected.StatusCode, actual.StatusCode);
        Assert.Equal(expected.ReasonPhrase, actual.ReasonPhrase);
        Assert.Equal(WithoutLength(expected.Headers), WithoutLength(actual.Headers));
        Assert.Equal(expected.Body, actual.Body);
        Assert.Equal(actual.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.Headers.Get("Content-Length"));
    }

    /// <summary>The typed views of two messages agree (records compare structurally).</summary>
    public static void AssertSameTypedValues(SipMessage expected, SipMessage actual)
    {
        Assert.Equal(expected.CallId, actual.CallId);
        Assert.Equal(expected.CSeq, actual.CSeq);
        Assert.Equal(expected.Vias, actual.Vias);
        Assert.Equal(expected.From, actual.From);
        Assert.Equal(expected.To, actual.To);
        Assert.Equal(expected.Contacts, actual.Contacts);
        Assert.Equal(expected.RecordRoute, actual.RecordRoute);
        Assert.Equal(expected.Route, actual.Route);
        Assert.Equal(expected.MaxForwards, actual.MaxForwards);
    }

    private static List<KeyValuePair<string, string>> WithoutLength(SipHeaders headers) =>
        headers.Where(h => h.Key != "Content-Length").ToList();
}
