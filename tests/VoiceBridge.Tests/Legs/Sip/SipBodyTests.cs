using System.Text;
using VoiceBridge.Legs.Sip;
using static VoiceBridge.Tests.Legs.Sip.SipTestMessages;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>Finding the SDP of a request: a plain body, or the application/sdp part of a multipart one (SIP-I/SIP-T).</summary>
public sealed class SipBodyTests
{
    private const string Sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

    /// <summary>An ISUP IAM as SIP-I gateways carry it (RFC 3204): binary, with CR, LF and dashes inside.</summary>
    private static readonly byte[] Isup = [0x01, 0x00, 0x60, 0x00, 0x0A, 0x03, 0x02, 0x0D, 0x0A, 0x2D, 0x2D, 0x0D, 0x0A, 0xFF, 0x83, 0x10];

    private static byte[] Multipart(string boundary, string disposition = "signal;handling=optional", string newline = "\r\n")
    {
        var head = $"--{boundary}{newline}Content-Type: application/sdp{newline}{newline}{Sdp.Replace("\r\n", newline, StringComparison.Ordinal)}{newline}" +
            $"--{boundary}{newline}Content-Type: application/ISUP;version=itu-t92+{newline}Content-Disposition: {disposition}{newline}{newline}";
        return [.. Encoding.ASCII.GetBytes(head), .. Isup, .. Encoding.ASCII.GetBytes($"{newline}--{boundary}--{newline}")];
    }

    [Fact]
    public void A_plain_sdp_body_is_the_sdp()
    {
        var (status, sdp, _) = SipBody.FindSdp("Application/SDP", Encoding.UTF8.GetBytes(Sdp));

        Assert.Equal((0, Sdp), (status, sdp));
    }

    [Theory]
    [InlineData("multipart/mixed;boundary=unique-boundary-1", "unique-boundary-1", "\r\n")]
    [InlineData("multipart/mixed; boundary=\"----=_Part_7;x\"; charset=x", "----=_Part_7;x", "\r\n")]
    [InlineData("Multipart/Alternative ; BOUNDARY=b1", "b1", "\n")]
    public void The_sdp_part_of_a_sip_i_multipart_body_is_found_beside_binary_isup(string contentType, string boundary, string newline)
    {
        var (status, sdp, error) = SipBody.FindSdp(contentType, Multipart(boundary, newline: newline));

        Assert.True(status == 0, error);
        Assert.Equal(Sdp.Replace("\r\n", newline, StringComparison.Ordinal), sdp);
    }

    [Theory]
    [InlineData("multipart/mixed; boundary = b1")]
    [InlineData("multipart/mixed;myboundary=zz;boundary=b1")]
    [InlineData("multipart/mixed;foo=\"x;boundary=zz\";boundary=b1")]
    public void The_boundary_parameter_is_read_as_a_parameter_not_found_as_text(string contentType)
    {
        Assert.Equal(0, SipBody.FindSdp(contentType, Multipart("b1")).Status);
    }

    [Fact]
    public void The_sdp_inside_a_multipart_inside_a_multipart_is_found()
    {
        var inner = Encoding.ASCII.GetString(Multipart("inner"));
        var outer = $"--outer\r\nContent-Type: multipart/alternative;\r\n boundary=inner\r\n\r\n{inner}\r\n--outer\r\nContent-Type: text/plain\r\n\r\nhello\r\n--outer--\r\n";

        var (status, sdp, error) = SipBody.FindSdp("multipart/mixed;boundary=outer", Encoding.ASCII.GetBytes(outer));

        Assert.True(status == 0, error);
        Assert.Equal(Sdp, sdp);
    }

    [Theory]
    [InlineData("base64", 0)]
    [InlineData("quoted-printable", 415)]
    public void A_transfer_encoded_sdp_part_is_decoded_or_refused_by_name(string encoding, int expected)
    {
        var encoded = encoding == "base64" ? Convert.ToBase64String(Encoding.ASCII.GetBytes(Sdp), Base64FormattingOptions.InsertLineBreaks) : Sdp;
        var body = $"--b\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{encoded}\r\n--b--\r\n";

        var (status, sdp, error) = SipBody.FindSdp("multipart/mixed;boundary=b", Encoding.ASCII.GetBytes(body));

        Assert.Equal(expected, status);
        Assert.Equal(expected == 0 ? Sdp : null, sdp);
        Assert.True(expected == 0 || error!.Contains(encoding, StringComparison.Ordinal), error);
    }

    [Fact]
    public void A_part_we_must_understand_and_do_not_makes_it_415_naming_the_part()
    {
        var (status, _, error) = SipBody.FindSdp("multipart/mixed;boundary=b", Multipart("b", disposition: "signal; handling=required"));

        Assert.Equal(415, status);
        Assert.Contains("application/isup", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_multipart_body_without_sdp_is_415_and_other_types_are_415_naming_them()
    {
        var wire = File.ReadAllBytes(TorturePath("mpart01"));
        var body = wire[^553..]; // RFC 4475 3.1.1.11: text/plain and binary application/octet-stream parts

        Assert.Equal((415, "multipart/mixed body without an application/sdp part"), Pick(SipBody.FindSdp("multipart/mixed;boundary=7a9cbec02ceef655", body)));
        Assert.Equal((415, "a body of type text/plain, not application/sdp"), Pick(SipBody.FindSdp("text/plain", body)));
        Assert.Equal((415, "a body of type (none given), not application/sdp"), Pick(SipBody.FindSdp(null, body)));
    }

    [Theory]
    [InlineData("multipart/mixed", "--b\r\n\r\nx\r\n--b--\r\n", "multipart/mixed without a boundary parameter")]
    [InlineData("multipart/mixed;boundary=zz", "--b\r\n\r\nx\r\n--b--\r\n", "multipart/mixed body without its boundary zz")]
    [InlineData("multipart/mixed;boundary=b", "--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n", "multipart/mixed body not closed by --b--")]
    public void A_broken_multipart_body_is_400_saying_what_is_wrong(string contentType, string body, string expected)
    {
        Assert.Equal((400, expected), Pick(SipBody.FindSdp(contentType, Encoding.ASCII.GetBytes(body))));
    }

    private static (int Status, string? Error) Pick((int Status, string? Sdp, string? Error) found) => (found.Status, found.Error);
}
