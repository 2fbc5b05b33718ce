using System.Text;
using VoiceBridge.Legs.Sip;
using static VoiceBridge.Tests.Legs.Sip.SipTestMessages;

namespace VoiceBridge.Tests.Legs.Sip;

public sealed class SipMessageTests
{
    [Fact]
    public void Parses_a_plain_invite_with_list_headers_ipv6_and_quoted_display_name()
    {
        SipMessage m = ParseOk(Invite);

        Assert.Equal(3, m.Vias.Count);
        Assert.Equal(new SipVia("UDP", "pc33.atlanta.example.com", 5060, "z9hG4bK776asdhds", null, true, null, new Dictionary<string, string?>()), m.TopVia);
        Assert.Equal("[2001:db8::9]", m.Vias[2].Host);
        Assert.Equal(5070, m.Vias[2].Port);
        Assert.Equal("2001:db8::9", m.Vias[2].Received);
        Assert.Equal("Alice \"A\"", m.From.DisplayName);
        Assert.Equal("Bob", m.To.DisplayName);
        Assert.Null(m.To.Tag);
        Assert.Equal(["p1.example.com", "p2.example.com", "[2001:db8::1]"], m.RecordRoute.Select(r => r.Uri.Host));
        Assert.All(m.RecordRoute, r => Assert.True(r.Uri.LooseRouting));
        Assert.Equal(5062, m.RecordRoute[2].Uri.Port);
        Assert.Equal("60", m.Contact!.Parameters["expires"]);
        Assert.Equal("udp", m.Contact.Uri.Parameters["transport"]);
        Assert.Equal(70, m.MaxForwards);
        Assert.Equal("v=0\r\no=- 1 1 IN IP4 x", Encoding.ASCII.GetString(m.Body));
    }

    [Fact]
    public void Commas_inside_quotes_and_angle_brackets_do_not_split_list_values()
    {
        SipMessage m = ParseOk(Invite.Replace(
            "Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>;expires=60",
            "m: \"Smith, Bob\" <sip:bob@a.example.com>;x=\"a,b\", <sip:c,d@b.example.com?Subject=x%2Cy>", StringComparison.Ordinal));

        Assert.Equal(2, m.Contacts.Count);
        Assert.Equal("Smith, Bob", m.Contacts[0].DisplayName);
        Assert.Equal("\"a,b\"", m.Contacts[0].Parameters["x"]);
        Assert.Equal("c,d", m.Contacts[1].Uri.User);
        Assert.Equal("x,y", m.Contacts[1].Uri.Headers["Subject"]);
    }

    [Fact]
    public void Compact_and_odd_case_names_are_stored_under_the_long_name()
    {
        SipMessage m = ParseOk(
            "OPTIONS sip:a@b.example.com SIP/2.0\r\nv: SIP/2.0/UDP h.example.com;branch=z9hG4bKa\r\nt: <sip:a@b.example.com>\r\n" +
            "f: <sip:c@d.example.com>;tag=1\r\ni: abc\r\ncSEQ: 1 OPTIONS\r\nk: timer\r\nl: 0\r\n\r\n");

        Assert.Equal(
            ["Via", "To", "From", "Call-ID", "CSeq", "Supported", "Content-Length"],
            m.Headers.Select(h => h.Key));
        Assert.Equal("abc", m.Headers.Get("i"));
        Assert.Equal("abc", m.Headers.Get("CALL-ID"));
    }

    [Fact]
    public void Leading_crlfs_and_bare_lf_line_ends_are_tolerated()
    {
        SipMessage m = ParseOk("\r\n\r\n" + Invite.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("Content-Length: 21", "Content-Length: 20", StringComparison.Ordinal));

        Assert.Equal("a84b4c76e66710@pc33.atlanta.example.com", m.CallId);
        Assert.Equal("v=0\no=- 1 1 IN IP4 x", Encoding.ASCII.GetString(m.Body));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n")]
    [InlineData("\r\n\r\n")]
    public void Keep_alives_are_neither_messages_nor_errors(string datagram)
    {
        SipParseResult result = SipParser.Parse(Bytes(datagram));

        Assert.True(result.IsKeepAlive);
        Assert.Null(result.Message);
        Assert.Null(result.Error);
        Assert.Null(result.Answerable);
    }

    [Theory]
    [InlineData("Content-Length: 21", "Content-Length: five", "Content-Length \"five\" is not a non-negative number")]
    [InlineData("Content-Length: 21", "Content-Length: 99999999999", "Content-Length \"99999999999\" is not a non-negative number")]
    [InlineData("Content-Length: 21", "Content-Length: 22", "Content-Length 22 exceeds the 21 bytes after the headers")]
    [InlineData("Max-Forwards: 70", "Max-Forwards: 256", "Max-Forwards \"256\" is not a number 0-255")]
    [InlineData("CSeq: 314159 INVITE", "CSeq: 314159 ACK", "CSeq method ACK does not match the request method INVITE")]
    [InlineData("CSeq: 314159 INVITE", "CSeq: 4294967296 INVITE", "CSeq number \"4294967296\" is not a number below 2^32")]
    [InlineData("Call-ID: a84b4c76e66710@pc33.atlanta.example.com", "Call-ID: a b", "Call-ID \"a b\" is not word[@word]")]
    [InlineData("Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n", "", "missing Call-ID")]
    [InlineData("INVITE sip:bob@biloxi.example.com SIP/2.0", "INVITE sip:bob@biloxi.example.com SIP/3.0", "unsupported SIP version \"SIP/3.0\"")]
    [InlineData("To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:bob@biloxi.example.com:99999>", "invalid port \"99999\"")]
    [InlineData("To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:bob@bi%20loxi>", "invalid host")]
    [InlineData("To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:b%zzob@biloxi.example.com>", "invalid user part")]
    [InlineData("Max-Forwards: 70", "Max-Forwards 70", "malformed header line \"Max-Forwards 70\"")]
    public void Broken_requests_are_answerable_with_an_error_naming_the_problem(string find, string replace, string error)
    {
        SipParseResult result = SipParser.Parse(Bytes(Invite.Replace(find, replace, StringComparison.Ordinal)));

        Assert.Null(result.Message);
        Assert.Contains(error, result.Error, StringComparison.Ordinal);
        Assert.Equal(find.StartsWith("Call-ID", StringComparison.Ordinal) && replace.Length == 0, result.Answerable is null);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "is not a SIP version")]
    [InlineData("INVITE\r\n\r\n", "malformed request line")]
    [InlineData(" INVITE sip:a@b SIP/2.0\r\n\r\n", "extra spaces")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\n folded: x\r\n\r\n", "folded line where a header was expected")]
    [InlineData("INVITE sip:a@b SIP/2.0\r\nVia: x\rX\r\n\r\n", "bare CR")]
    [InlineData("SIP/2.0 99 Too small\r\n\r\n", "status code \"99\" is not 100-699")]
    [InlineData("SIP/2.0 700 Too big\r\n\r\n", "status code \"700\" is not 100-699")]
    [InlineData("SIP/1.0 200 OK\r\n\r\n", "unsupported SIP version \"SIP/1.0\"")]
    [InlineData("SIP/2.0 200 OK\r\n\r\n", "missing Via")]
    public void Unreadable_messages_get_a_clear_error_and_no_answer(string datagram, string error)
    {
        SipParseResult result = SipParser.Parse(Bytes(datagram));

        Assert.Contains(error, result.Error, StringComparison.Ordinal);
        Assert.Null(result.Message);
        Assert.Null(result.Answerable);
    }

    [Fact]
    public void Limits_on_size_headers_and_vias_are_enforced_at_their_boundaries()
    {
        int others = ParseOk(Invite).Headers.Count - 1;
        string Pad(int count) => Invite.Replace("Timestamp: 54\r\n", string.Concat(Enumerable.Repeat("X-Pad: 1\r\n", count)), StringComparison.Ordinal);
        Assert.Equal(SipParser.MaxHeaders, ParseOk(Pad(SipParser.MaxHeaders - others)).Headers.Count);
        Assert.Equal($"more than {SipParser.MaxHeaders} header fields", SipParser.Parse(Bytes(Pad(SipParser.MaxHeaders - others + 1))).Error);

        string Vias(int count) => Invite.Replace("Timestamp: 54\r\n", "Via: " + string.Join(", ", Enumerable.Repeat("SIP/2.0/UDP h;branch=z9hG4bKx", count)) + "\r\n", StringComparison.Ordinal);
        Assert.Equal(SipParser.MaxVias, ParseOk(Vias(SipParser.MaxVias - 3)).Vias.Count);
        SipParseResult tooMany = SipParser.Parse(Bytes(Vias(SipParser.MaxVias - 2)));
        Assert.Equal($"more than {SipParser.MaxVias} Via values", tooMany.Error);
        Assert.Null(tooMany.Answerable);

        string Head(int length) => Invite.Replace("Content-Length: 21\r\n\r\nv=0\r\no=- 1 1 IN IP4 x", $"Content-Length: {length:D5}\r\n\r\n", StringComparison.Ordinal);
        int bodyLength = SipParser.MaxMessageBytes - Bytes(Head(0)).Length;
        byte[] largest = [.. Bytes(Head(bodyLength)), .. new byte[bodyLength]];
        Assert.Equal(SipParser.MaxMessageBytes, largest.Length);
        Assert.Equal(bodyLength, ParseOk(largest).Body.Length);
        Assert.Equal("message of 65536 bytes exceeds the 65535-byte limit", SipParser.Parse([.. largest, 0]).Error);

        string longLine = Invite.Replace("Timestamp: 54", "X-Long: " + new string('a', SipParser.MaxLineChars), StringComparison.Ordinal);
        Assert.Equal($"a line or header field is longer than {SipParser.MaxLineChars} characters", SipParser.Parse(Bytes(longLine)).Error);
    }

    [Fact]
    public void A_built_request_round_trips_through_bytes()
    {
        SipMessage request = SipMessage.Request("INVITE", "sip:+15551234@trunk.example.com;user=phone");
        request.Headers.Add("Via", SipVia.Create("udp", "10.0.0.5", 5060, "z9hG4bKabc").ToString());
        request.Headers.Add("Max-Forwards", "70");
        request.Headers.Add("From", new SipNameAddr("Voice Bridge", SipUri.Sip("bridge", "bridge.example.com"), new Dictionary<string, string?>()).WithTag("f1").ToString());
        request.Headers.Add("To", "<sip:+15551234@trunk.example.com>");
        request.Headers.Add("Call-ID", "c1@bridge.example.com");
        request.Headers.Add("CSeq", new SipCSeq(1, "INVITE").ToString());
        request.Headers.Add("Route", "<sip:edge.example.com;lr>");
        request.Headers.Add("Content-Type", "application/sdp");
        request.Body = Bytes("v=0\r\n");

        SipMessage parsed = ParseOk(request.ToBytes());

        AssertSameMessage(request, parsed);
        AssertSameTypedValues(request, parsed);
        Assert.Equal("5", parsed.Headers.Get("Content-Length"));
        Assert.Equal("Voice Bridge", parsed.From.DisplayName);
        Assert.Equal("f1", parsed.From.Tag);
        Assert.True(parsed.TopVia.HasRport);
        Assert.Equal("UDP", parsed.TopVia.Transport);
    }

    [Fact]
    public void Create_response_follows_rfc3261_8_2_6()
    {
        SipMessage invite = ParseOk(Invite);

        SipMessage ok = invite.CreateResponse(200, "OK", "as83kd");
        SipMessage parsed = ParseOk(ok.ToBytes());

        Assert.False(parsed.IsRequest);
        Assert.Equal(200, parsed.StatusCode);
        Assert.Equal("INVITE", parsed.Method);
        Assert.Equal(invite.Headers.GetAll("Via"), parsed.Headers.GetAll("Via"));
        Assert.Equal(invite.Vias, parsed.Vias);
        Assert.Equal(invite.From, parsed.From);
        Assert.Equal("as83kd", parsed.To.Tag);
        Assert.Equal(invite.To.Uri, parsed.To.Uri);
        Assert.Equal(invite.CallId, parsed.CallId);
        Assert.Equal(invite.CSeq, parsed.CSeq);
        Assert.Equal(invite.RecordRoute, parsed.RecordRoute);
        Assert.Null(parsed.Headers.Get("Timestamp"));
        Assert.Empty(parsed.Body);
        Assert.Equal("0", parsed.Headers.Get("Content-Length"));
    }

    [Fact]
    public void Create_response_copies_record_route_only_for_dialog_creating_invite_responses()
    {
        SipMessage invite = ParseOk(Invite);
        SipMessage options = ParseOk(Invite.Replace("INVITE", "OPTIONS", StringComparison.Ordinal));

        Assert.Equal(3, invite.CreateResponse(180, "Ringing", "t").RecordRoute.Count);
        Assert.Empty(invite.CreateResponse(100, "Trying").RecordRoute);
        Assert.Empty(invite.CreateResponse(486, "Busy Here", "t").RecordRoute);
        Assert.Empty(options.CreateResponse(200, "OK", "t").RecordRoute);
        Assert.Equal("54", invite.CreateResponse(100, "Trying").Headers.Get("Timestamp"));
        Assert.Null(invite.CreateResponse(100, "Trying").To.Tag);
    }

    [Fact]
    public void Create_response_keeps_an_existing_to_tag()
    {
        SipMessage bye = ParseOk(Invite.Replace("To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:bob@biloxi.example.com>;tag=orig", StringComparison.Ordinal));

        Assert.Equal("orig", bye.CreateResponse(200, "OK", "new").To.Tag);
        Assert.Throws<ArgumentException>(() => bye.CreateResponse(200, "OK", "bad tag"));
        Assert.Throws<InvalidOperationException>(() => bye.CreateResponse(200, "OK").CreateResponse(200, "OK"));
    }

    [Fact]
    public void Headers_keep_order_and_duplicates_and_refuse_injection()
    {
        var headers = SipMessage.Request("OPTIONS", "sip:a@b").Headers;
        headers.Add("Via", "SIP/2.0/UDP a;branch=z9hG4bK1");
        headers.Add("X-A", "1");
        headers.Add("v", "SIP/2.0/UDP b;branch=z9hG4bK2");
        headers.AddFirst("Via", "SIP/2.0/UDP top;branch=z9hG4bK0");

        Assert.Equal(["SIP/2.0/UDP top;branch=z9hG4bK0", "SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/UDP b;branch=z9hG4bK2"], headers.GetAll("via"));
        headers.Set("VIA", "SIP/2.0/UDP only;branch=z9hG4bK9");
        Assert.Equal(["Via", "X-A"], headers.Select(h => h.Key));
        Assert.True(headers.Remove("x-a"));
        Assert.False(headers.Remove("X-A"));
        Assert.Throws<ArgumentException>(() => headers.Add("X-B", "1\r\nVia: evil"));
        Assert.Throws<ArgumentException>(() => headers.Add("Bad Name", "1"));
    }

    [Fact]
    public void Typed_values_follow_header_edits()
    {
        SipMessage m = ParseOk(Invite);
        Assert.Equal(3, m.Vias.Count);

        m.Headers.AddFirst("Via", m.TopVia.WithReceived("192.0.2.9").WithRport(40000).ToString());

        Assert.Equal(4, m.Vias.Count);
        Assert.Equal("192.0.2.9", m.TopVia.Received);
        Assert.Equal(40000, m.TopVia.Rport);
        m.Headers.Set("Max-Forwards", "69");
        Assert.Equal(69, m.MaxForwards);
        m.Headers.Set("Max-Forwards", "x");
        Assert.Throws<FormatException>(() => m.MaxForwards);
        m.Headers.Remove("Call-ID");
        Assert.Throws<InvalidOperationException>(() => m.CallId);
    }

    [Fact]
    public void Uris_escape_on_output_what_they_unescape_on_input()
    {
        Assert.True(SipUri.TryParse("sips:I%20am;x@[2001:db8::1]:5061;Transport=tls;%6C%72?h%20x=v%26", out SipUri? uri, out string? error), error);

        Assert.Equal("I am;x", uri!.User);
        Assert.Equal("[2001:db8::1]", uri.Host);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tls", uri.Parameters["transport"]);
        Assert.True(uri.LooseRouting);
        Assert.Equal("v&", uri.Headers["h x"]);
        Assert.Equal("sips:I%20am;x@[2001:db8::1]:5061;Transport=tls;lr?h%20x=v%26", uri.ToString());
        Assert.True(SipUri.TryParse(uri.ToString(), out SipUri? again, out _));
        Assert.Equal(uri, again);
        Assert.False(SipUri.TryParse("sip:a@b@c", out _, out error));
        Assert.Contains("more than one '@'", error, StringComparison.Ordinal);
        Assert.False(SipUri.TryParse("sip:a@[::1", out _, out _));
        Assert.False(SipUri.TryParse(":nothing", out _, out _));
    }

    [Fact]
    public void Name_addr_and_via_records_round_trip_through_their_text()
    {
        Assert.True(SipNameAddr.TryParse("\"A \\\\ \\\"B\\\"\" <sip:a@b.example.com;lr>;tag=x;q=\"1\"", out SipNameAddr? addr, out string? error), error);
        Assert.True(SipNameAddr.TryParse(addr!.ToString(), out SipNameAddr? again, out _));
        Assert.Equal(addr, again);
        Assert.Equal("A \\ \"B\"", again!.DisplayName);

        Assert.True(SipVia.TryParse("SIP / 2.0 / tcp h.example.com : 5070 ; branch = z9hG4bKq ; rport = 9 ; maddr=239.1.1.1", out SipVia? via, out error), error);
        Assert.Equal("SIP/2.0/TCP h.example.com:5070;branch=z9hG4bKq;rport=9;maddr=239.1.1.1", via!.ToString());
        Assert.True(SipVia.TryParse(via.ToString(), out SipVia? viaAgain, out _));
        Assert.Equal(via, viaAgain);
        Assert.True(via.HasRfc3261Branch);
    }
}
