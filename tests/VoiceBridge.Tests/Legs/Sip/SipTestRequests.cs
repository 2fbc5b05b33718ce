using VoiceBridge.Legs.Sip;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// What a test phone sends to the endpoint at 127.0.0.1:5071 (the digest and SIP security tests):
/// an INVITE with a PCMU offer, optionally with an Authorization, and the digest answer to a challenge.
/// SIPPORT, BRANCH, CALLID, RTPPORT and AUTO are filled in by <see cref="SipTestPhone"/>.
/// </summary>
internal static class SipTestRequests
{
    public const string RequestUri = "sip:agent@127.0.0.1:5071";

    private const string Offer = "v=0\no=phone 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio RTPPORT RTP/AVP 0\na=rtpmap:0 PCMU/8000\n";

    public static string Invite(int cseq, string authorization = "") => $"""
        INVITE {RequestUri} SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:SIPPORT;branch=BRANCH;rport
        Max-Forwards: 70
        From: <sip:phone@127.0.0.1>;tag=phone1
        To: <sip:agent@127.0.0.1>
        Call-ID: CALLID
        CSeq: {cseq} INVITE
        Contact: <sip:phone@127.0.0.1:SIPPORT>
        {(authorization.Length > 0 ? $"Authorization: {authorization}\n" : "")}Content-Type: application/sdp
        Content-Length: AUTO

        {Offer}
        """;

    /// <summary>The Authorization answering a WWW-Authenticate value, as a phone would compute it.</summary>
    public static string Answer(string challengeHeader, string user, string password, uint nc)
    {
        Assert.True(SipDigestChallenge.TryParse(challengeHeader, out var challenge, out var error), error);
        return SipDigest.Answer(challenge!, user, password, "INVITE", RequestUri, SipDigest.NewCnonce(), nc).ToString();
    }
}
