using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Legs.Sip;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Operations;

/// <summary>A draining node's SIP leg (in memory, fake clock): a new INVITE gets 503 with Retry-After and starts no call.</summary>
public sealed class SipDrainTests(ITestOutputHelper output)
{
    private const string Invite = """
        INVITE sip:agent@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:SIPPORT;branch=BRANCH;rport
        Max-Forwards: 70
        From: <sip:phone@127.0.0.1>;tag=phone1
        To: <sip:agent@127.0.0.1>
        Call-ID: CALLID
        CSeq: 1 INVITE
        Contact: <sip:phone@127.0.0.1:SIPPORT>
        Content-Type: application/sdp
        Content-Length: AUTO

        v=0
        o=phone 1 1 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio RTPPORT RTP/AVP 0
        a=rtpmap:0 PCMU/8000
        a=sendrecv

        """;

    [Fact]
    public void A_new_invite_to_a_draining_node_gets_503_with_retry_after_and_no_call()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), new CallSessionOptions(), time, new TestLoggerFactory(output), leg: ReplayLeg.Sip);
            await using var phone = new SipTestPhone(env.Datagrams!, env.Sip!.LocalEndPoint);
            env.Bridge.Registry.StopAccepting();

            phone.Send(Invite);
            var refused = await phone.ExpectStatusAsync(503, "INVITE", time);

            Assert.Equal("30", refused.Headers.Get("Retry-After"));
            Assert.Equal(0, phone.Count(m => m.StatusCode is 100 or 180 or 200));
            Assert.Equal(0, env.Sip.ActiveCalls);
            Assert.Empty(env.Bridge.Registry.Live);
            return 0;
        });
    }
}
