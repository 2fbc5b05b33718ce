using System.Text;
using VoiceBridge.Legs.Sip;
using static VoiceBridge.Tests.Legs.Sip.SipTestMessages;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// RFC 4475 torture messages that a parser must accept: section 3.1.1 (valid syntax) and the messages
/// of 3.2-3.4 that are syntactically valid and left to the transaction or application layer. The
/// fixtures in Torture/ are the RFC's messages byte for byte (CRLF, &lt;allOneLine&gt; joined, &lt;hex&gt;
/// decoded, &lt;repeat&gt; expanded). The invalid ones are in SipTortureTests.Invalid.cs.
/// </summary>
public sealed partial class SipTortureTests
{
    public static TheoryData<string> Accepted =>
    [
        "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports",
        "mpart01", "unreason", "noreason", "baddate", "badbranch", "unkscm", "novelsc", "unksm2", "bext01", "invut",
        "regaut01", "bcast", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01", "inv2543",
    ];

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_messages_parse_and_survive_a_round_trip(string name)
    {
        SipMessage message = ParseOk(File.ReadAllBytes(TorturePath(name)));

        SipMessage again = ParseOk(message.ToBytes());

        AssertSameMessage(message, again);
        AssertSameTypedValues(message, again);
    }

    [Fact]
    public void Wsinv_short_tortuous_invite()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("wsinv")));

        Assert.True(m.IsRequest);
        Assert.Equal("INVITE", m.Method);
        Assert.Equal("sip:vivekg@chair-dnrc.example.com;unknownparam", m.RequestUri);
        Assert.True(m.ParsedRequestUri!.Parameters.ContainsKey("unknownparam"));
        Assert.Null(m.ParsedRequestUri.Parameters["unknownparam"]);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", m.CallId);
        Assert.Equal(new SipCSeq(9, "INVITE"), m.CSeq);
        Assert.Equal(68, m.MaxForwards);
        Assert.Equal(["UDP", "TCP", "UDP"], m.Vias.Select(v => v.Transport));
        Assert.Equal(["192.0.2.2", "spindle.example.com", "192.168.255.111"], m.Vias.Select(v => v.Host));
        Assert.Equal(["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"], m.Vias.Select(v => v.Branch));
        Assert.Same(m.Vias[0], m.TopVia);
        Assert.Null(m.To.DisplayName);
        Assert.Equal("1918181833n", m.To.Tag);
        Assert.Equal("vivekg", m.To.Uri.User);
        Assert.Equal("J Rosenberg \\\"", m.From.DisplayName);
        Assert.Equal("98asjd8", m.From.Tag);
        Assert.Equal(string.Empty, m.Headers.Get("Subject"));
        Assert.Equal("newfangled value continued newfangled value", m.Headers.Get("NewFangledHeader"));
        Assert.Equal(";;,,;;,;", m.Headers.Get("UnknownHeaderWithUnusualValue"));
        Assert.True(m.Route[0].Uri.LooseRouting);
        Assert.Equal("value", m.Route[0].Uri.Parameters["unknownwith"]);
        Assert.Null(m.Route[0].Uri.Parameters["unknown-no-value"]);
        Assert.Equal("Quoted string \"\"", m.Contact!.DisplayName);
        Assert.Equal("newvalue", m.Contact.Parameters["newparam"]);
        Assert.Null(m.Contact.Parameters["secondparam"]);
        Assert.Equal("0.33", m.Contact.Parameters["q"]);
        Assert.Equal(150, m.Body.Length);
        Assert.StartsWith("v=0\r\n", Encoding.ASCII.GetString(m.Body), StringComparison.Ordinal);
    }

    [Fact]
    public void Intmeth_wide_range_of_valid_characters()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("intmeth")));

        const string method = "!interesting-Method0123456789_*+`.%indeed'~";
        Assert.Equal(method, m.Method);
        Assert.Equal(new SipCSeq(139122385, method), m.CSeq);
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", m.ParsedRequestUri!.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", m.ParsedRequestUri.Password);
        Assert.Equal("z9hG4bK-.!%66*_+`'~", m.TopVia.Branch);
        Assert.Equal("BEL:\a NUL:\0 DEL:\x7f", m.To.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", m.From.DisplayName);
        Assert.Equal("\"работающий\"", m.From.Parameters["fromParam''~+*_!.-%"]);
        Assert.Equal("_token~1'+`*%!-.", m.From.Tag);
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", m.CallId);
        Assert.Equal(255, m.MaxForwards);
        Assert.Equal("\ufeff大停電", m.Headers.Get("extensionHeader-!.%*+_`'~"));
    }

    [Fact]
    public void Esc01_escapes_in_uris_decode_and_escaped_lr_is_lr()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("esc01")));

        Assert.Equal("sips:user@example.com", m.ParsedRequestUri!.User);
        Assert.Equal("example.net", m.ParsedRequestUri.Host);
        Assert.Equal("user", m.To.Uri.User);
        Assert.Equal("I have spaces", m.From.Uri.User);
        Assert.Equal("caller", m.Contact!.Uri.User);
        Assert.True(m.Contact.Uri.LooseRouting);
        Assert.Equal("value%41", m.Contact.Uri.Parameters["name"]);
        Assert.Equal("application/sdp", m.Headers.Get("Content-Type"));
        Assert.Equal("esc01.239409asdfakjkn23onasd0-3234", m.CallId);
    }

    [Fact]
    public void Escnull_escaped_nulls_in_uris()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("escnull")));

        Assert.Equal("null-\0-null", m.To.Uri.User);
        Assert.Equal(["\0", "\0\0"], m.Contacts.Select(c => c.Uri.User));
        Assert.Empty(m.Body);
    }

    [Fact]
    public void Esc02_percent_is_not_an_escape_in_methods_and_header_names()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("esc02")));

        Assert.Equal("RE%47IST%45R", m.Method);
        Assert.Equal("RE%47IST%45R", m.CSeq.Method);
        Assert.Equal("%Z%45", m.To.DisplayName);
        Assert.Equal("z9hG4bK209%fzsnel234", m.TopVia.Branch);
        Assert.Equal(["alias1", "alias3"], m.Contacts.Select(c => c.Uri.User));
        Assert.Equal("<sip:alias2@host2.example.com>", m.Headers.Get("C%6Fntact"));
    }

    [Fact]
    public void Lwsdisp_display_name_without_space_before_angle()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("lwsdisp")));

        Assert.Equal("caller", m.From.DisplayName);
        Assert.Equal("323", m.From.Tag);
    }

    [Fact]
    public void Longreq_long_values_and_34_vias_in_every_spelling()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("longreq")));

        Assert.Equal(34, m.Vias.Count);
        Assert.Equal("sip33.example.com", m.TopVia.Host);
        Assert.Equal("sip1.example.com", m.Vias[32].Host);
        Assert.Equal("192.0.2.5", m.Vias[33].Received);
        Assert.StartsWith("I have a user name of extremeextreme", m.To.DisplayName, StringComparison.Ordinal);
        Assert.Equal(6000, m.To.Uri.Port);
        Assert.Equal("shortvalue", m.To.Uri.Parameters["longparam" + string.Concat(Enumerable.Repeat("name", 25))]);
        Assert.Equal(155, m.From.Tag!.Length);
        Assert.Equal(150, m.Body.Length);
        Assert.Single(m.Headers, h => h.Key.StartsWith("Unknown-LongLong", StringComparison.Ordinal));
    }

    [Fact]
    public void Dblreq_reads_only_content_length_bytes_of_a_double_request()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("dblreq")));

        Assert.Equal("REGISTER", m.Method);
        Assert.Equal("dblreq.0ha0isndaksdj99sdfafnl3lk233412", m.CallId);
        Assert.Empty(m.Body);
    }

    [Fact]
    public void Semiuri_semicolon_in_the_user_part()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("semiuri")));

        Assert.Equal("user;par=u@example.net", m.ParsedRequestUri!.User);
        Assert.Equal("example.com", m.ParsedRequestUri.Host);
        Assert.Empty(m.ParsedRequestUri.Parameters);
        Assert.Equal("application/sdp, application/pkcs7-mime, multipart/mixed, multipart/signed, message/sip, message/sipfrag", m.Headers.Get("Accept"));
    }

    [Fact]
    public void Transports_unknown_transports_are_kept()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("transports")));

        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], m.Vias.Select(v => v.Transport));
        Assert.Equal("transports.kijh4akdnaqjkwendsasfdj", m.CallId);
    }

    [Fact]
    public void Mpart01_binary_multipart_body_is_kept_byte_exact()
    {
        byte[] wire = File.ReadAllBytes(TorturePath("mpart01"));
        SipMessage m = ParseOk(wire);

        Assert.Equal(553, m.Body.Length);
        Assert.Equal(wire[^553..], m.Body);
        Assert.Equal(5070, m.TopVia.Port);
        Assert.True(m.TopVia.HasRport);
        Assert.Null(m.TopVia.Rport);
        Assert.Equal(5080, m.Route[0].Uri.Port);
        Assert.Equal("multipart/mixed;boundary=7a9cbec02ceef655", m.Headers.Get("Content-Type"));
    }

    [Fact]
    public void Unreason_utf8_reason_phrase()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("unreason")));

        Assert.False(m.IsRequest);
        Assert.Equal(200, m.StatusCode);
        Assert.Equal("= 2**3 * 5**2 но сто девяносто девять - простое", m.ReasonPhrase);
        Assert.Equal("INVITE", m.Method);
        Assert.Equal(154, m.Body.Length);
    }

    [Fact]
    public void Noreason_empty_reason_phrase()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("noreason")));

        Assert.Equal(100, m.StatusCode);
        Assert.Equal(string.Empty, m.ReasonPhrase);
        Assert.Equal(string.Empty, m.RequestUri);
    }

    /// <summary>RFC 4475 3.1.2.11: a non-GMT Date is only an error to an element that reads Date; this layer does not.</summary>
    [Fact]
    public void Baddate_is_accepted_because_date_is_not_interpreted()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("baddate")));

        Assert.Equal("Fri, 01 Jan 2010 16:00:00 EST", m.Headers.Get("Date"));
    }

    /// <summary>RFC 4475 3.2.1: a bare magic cookie is a transaction-layer matter; the parser must not break.</summary>
    [Fact]
    public void Badbranch_keeps_the_bare_magic_cookie_for_the_transaction_layer()
    {
        SipMessage m = ParseOk(File.ReadAllBytes(TorturePath("badbranch")));

        Assert.Equal("z9hG4bK", m.TopVia.Branch);
        Assert.False(m.TopVia.HasRfc3261Branch);
    }

    [Fact]
    public void Unknown_and_atypical_uri_schemes_are_carried_opaque()
    {
        SipMessage unkscm = ParseOk(File.ReadAllBytes(TorturePath("unkscm")));
        SipMessage novelsc = ParseOk(File.ReadAllBytes(TorturePath("novelsc")));
        SipMessage unksm2 = ParseOk(File.ReadAllBytes(TorturePath("unksm2")));

        Assert.False(unkscm.ParsedRequestUri!.IsSip);
        Assert.Equal("totallyopaquecontent", unkscm.ParsedRequestUri.Opaque);
        Assert.Equal("soap.beep", novelsc.ParsedRequestUri!.Scheme);
        Assert.Equal("//192.0.2.103:3002", novelsc.ParsedRequestUri.Opaque);
        Assert.Equal("isbn", unksm2.To.Uri.Scheme);
        Assert.Equal("http", unksm2.From.Uri.Scheme);
        Assert.Equal("3234233", unksm2.From.Tag);
        Assert.Equal("name:John_Smith", unksm2.Contact!.Uri.ToString());
    }

    [Fact]
    public void Application_layer_messages_parse_and_leave_semantics_above()
    {
        Assert.Equal("nothingSupportsThis, nothingSupportsThisEither", ParseOk(File.ReadAllBytes(TorturePath("bext01"))).Headers.Get("Require"));
        SipMessage invut = ParseOk(File.ReadAllBytes(TorturePath("invut")));
        Assert.Equal("application/unknownformat", invut.Headers.Get("Content-Type"));
        Assert.Equal(40, invut.Body.Length);
        Assert.Equal("NoOneKnowsThisScheme opaque-data=here", ParseOk(File.ReadAllBytes(TorturePath("regaut01"))).Headers.Get("Authorization"));
        Assert.Equal("255.255.255.255", ParseOk(File.ReadAllBytes(TorturePath("bcast"))).Vias[1].Host);
        Assert.Equal(0, ParseOk(File.ReadAllBytes(TorturePath("zeromf"))).MaxForwards);
        Assert.Equal("text/nobodyKnowsThis", ParseOk(File.ReadAllBytes(TorturePath("sdp01"))).Headers.Get("Accept"));
    }

    [Fact]
    public void Contact_parameters_belong_to_the_header_without_brackets_and_to_the_uri_within()
    {
        SipNameAddr outside = ParseOk(File.ReadAllBytes(TorturePath("cparam01"))).Contact!;
        SipNameAddr inside = ParseOk(File.ReadAllBytes(TorturePath("cparam02"))).Contact!;
        SipNameAddr escapedHeader = ParseOk(File.ReadAllBytes(TorturePath("regescrt"))).Contact!;

        Assert.True(outside.Parameters.ContainsKey("unknownparam"));
        Assert.Empty(outside.Uri.Parameters);
        Assert.True(inside.Uri.Parameters.ContainsKey("unknownparam"));
        Assert.Empty(inside.Parameters);
        Assert.Equal("+19725552222", inside.Uri.User);
        Assert.Equal("<sip:sip.example.com>", escapedHeader.Uri.Headers["Route"]);
    }

    /// <summary>RFC 4475 3.4.1: RFC 2543 syntax (no Max-Forwards, no branch, no tag, no Content-Length) stays accepted.</summary>
    [Fact]
    public void Inv2543_old_syntax_is_accepted()
    {
        byte[] wire = File.ReadAllBytes(TorturePath("inv2543"));
        SipMessage m = ParseOk(wire);

        Assert.Null(m.MaxForwards);
        Assert.Null(m.TopVia.Branch);
        Assert.Null(m.From.Tag);
        Assert.Equal("phone", m.To.Parameters["user"]);
        Assert.Equal("ss1.example.com", m.RecordRoute[0].Uri.Parameters["maddr"]);
        Assert.Null(m.Headers.Get("Content-Length"));
        Assert.EndsWith("m=audio 49217 RTP/AVP 0\r\n", Encoding.ASCII.GetString(m.Body), StringComparison.Ordinal);
    }
}
