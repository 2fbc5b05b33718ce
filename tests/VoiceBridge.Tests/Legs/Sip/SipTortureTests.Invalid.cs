using VoiceBridge.Legs.Sip;
using static VoiceBridge.Tests.Legs.Sip.SipTestMessages;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// RFC 4475 messages a parser must reject: all of section 3.1.2 and the malformed ones of 3.3. Where the
/// RFC says to answer (400, or 505 for badvers) the result carries an Answerable request; where it says
/// to drop (responses, and insuf which lacks what a response needs) it does not. Where the RFC lets a
/// parser be liberal, this one rejects, and the case says so.
/// </summary>
public sealed partial class SipTortureTests
{
    /// <summary>Name, a fragment the error must contain, and whether a 400/505 can be sent.</summary>
    public static TheoryData<string, string, bool> Rejected => new()
    {
        { "badinv01", "empty parameter", true },
        { "clerr", "Content-Length 9999 exceeds", true },
        { "ncl", "Content-Length \"-999\"", true },
        { "scalar02", "CSeq number", true },
        { "scalarlg", "CSeq number", false },
        { "quotbal", "unterminated", true },
        { "ltgtruri", "must not be enclosed in <>", true },
        { "lwsruri", "contains whitespace", true },
        { "lwsstart", "extra spaces", true },
        { "trws", "extra spaces", true },
        { "escruri", "must not contain headers", true },
        { "regbadct", "must be enclosed in <>", true },
        { "badaspec", "whitespace inside <>", true },
        { "baddn", "need quotes", true },
        { "badvers", "unsupported SIP version \"SIP/7.0\"", true },
        { "mismatch01", "CSeq method INVITE does not match the request method OPTIONS", true },
        { "mismatch02", "CSeq method INVITE does not match the request method NEWMETHOD", true },
        { "bigcode", "status code \"4294967301\"", false },
        { "insuf", "missing From", false },
        { "multi01", "more than one From", true },
        { "mcl01", "more than one Content-Length", true },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejected_messages_name_the_problem_and_are_answerable_when_the_rfc_says_respond(string name, string errorFragment, bool answerable)
    {
        SipParseResult result = Torture(name);

        Assert.False(result.Ok);
        Assert.Null(result.Message);
        Assert.False(result.IsKeepAlive);
        Assert.Contains(errorFragment, result.Error, StringComparison.Ordinal);
        Assert.Equal(answerable, result.Answerable is not null);
        Assert.Equal(answerable ? (name == "badvers" ? 505 : 400) : 0, result.SuggestedStatusCode);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Answerable_requests_give_a_response_that_echoes_via_from_call_id_and_cseq(string name, string errorFragment, bool answerable)
    {
        SipMessage? request = Torture(name).Answerable;
        Assert.True(answerable == (request is not null), errorFragment);
        if (request is null)
        {
            return;
        }

        SipMessage response = request.CreateResponse(400, "Bad Request", "x1");

        Assert.Equal(request.Headers.GetAll("Via"), response.Headers.GetAll("Via"));
        Assert.Equal(request.Headers.Get("From"), response.Headers.Get("From"));
        Assert.Equal(request.Headers.Get("Call-ID"), response.Headers.Get("Call-ID"));
        Assert.Equal(request.Headers.Get("CSeq"), response.Headers.Get("CSeq"));
        string to = request.Headers.Get("To")!;
        Assert.Equal(to.Contains(";tag=", StringComparison.Ordinal) ? to : to + ";tag=x1", response.Headers.Get("To"));
        Assert.NotEmpty(request.TopVia.Host);
        Assert.Empty(request.Body);
    }

    [Fact]
    public void Badinv01_answer_goes_to_the_leniently_read_top_via()
    {
        SipMessage request = Torture("badinv01").Answerable!;

        Assert.Equal("192.0.2.15", request.TopVia.Host);
        Assert.Equal("UDP", request.TopVia.Transport);
        Assert.Equal("INVITE", request.Method);
    }

    /// <summary>RFC 4475 3.1.2.16: SIP/7.0 deserves 505 Version Not Supported, so the request stays answerable.</summary>
    [Fact]
    public void Badvers_suggests_505()
    {
        SipParseResult result = Torture("badvers");

        Assert.Equal(505, result.SuggestedStatusCode);
        Assert.Equal("c.example.com", result.Answerable!.TopVia.Host);
        Assert.Equal("OPTIONS", result.Answerable.Method);
    }

    /// <summary>
    /// RFC 4475 3.1.2.18 prefers 501 for an unknown method with a mismatched CSeq; this layer does not know
    /// which methods are implemented, so it suggests the also-acceptable 400 and leaves 501 to the UAS.
    /// </summary>
    [Fact]
    public void Mismatch02_keeps_the_unknown_method_for_the_uas()
    {
        SipParseResult result = Torture("mismatch02");

        Assert.Equal("NEWMETHOD", result.Answerable!.Method);
        Assert.Equal(400, result.SuggestedStatusCode);
    }

    /// <summary>RFC 4475 3.1.2.4: a CSeq beyond 2^32-1 is what makes scalar02 a 400; the response still echoes it as written.</summary>
    [Fact]
    public void Scalar02_answer_echoes_the_overlarge_cseq_as_written()
    {
        SipMessage request = Torture("scalar02").Answerable!;

        SipMessage response = request.CreateResponse(400, "Bad Request", "t");

        Assert.Equal("36893488147419103232 REGISTER", response.Headers.Get("CSeq"));
        Assert.Throws<FormatException>(() => request.CSeq);
    }

    /// <summary>RFC 4475 3.3.1: with no Call-ID, From or To there is nothing to answer with, so the request is dropped.</summary>
    [Fact]
    public void Insuf_is_dropped()
    {
        SipParseResult result = Torture("insuf");

        Assert.Null(result.Answerable);
        Assert.Equal(0, result.SuggestedStatusCode);
    }

    [Theory]
    [InlineData("scalarlg")]
    [InlineData("bigcode")]
    public void Malformed_responses_are_never_answerable(string name)
    {
        SipParseResult result = Torture(name);

        Assert.NotNull(result.Error);
        Assert.Null(result.Answerable);
    }

    [Fact]
    public void Every_fixture_is_classified()
    {
        IEnumerable<object[]> rows = Accepted.Concat(Rejected);
        string[] classified = rows.Select(row => (string)row[0]).ToArray();
        string[] files = Directory.GetFiles(Path.GetDirectoryName(TorturePath("wsinv"))!, "*.dat").Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();

        Assert.Equal(49, files.Length);
        Assert.Equal(files.Order(), classified.Order());
    }
}
