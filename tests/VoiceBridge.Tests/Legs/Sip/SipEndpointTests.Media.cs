using System.Net;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>Whose RTP the call takes once it has latched a source, and a hold's silence.</summary>
public sealed partial class SipEndpointTests
{
    [Fact]
    public void A_strangers_rtp_is_dropped_and_takes_nothing_while_the_same_stream_from_a_new_port_is_followed() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        var bridgeRtp = new IPEndPoint(IPAddress.Loopback, AnswerPort(ok));
        await using var stranger = new SipTestPhone(env.Datagrams!, env.Sip!.LocalEndPoint);
        for (ushort i = 0; i < 10; i++)
        {
            phone.SendRtp(bridgeRtp, i, i * 160u);
            stranger.SendRtp(bridgeRtp, (ushort)(5000 + i), 90_000 + (i * 160u), ssrc: 0x9999);
            await time.Elapse(TimeSpan.FromMilliseconds(20));
        }

        await time.Elapse(TimeSpan.FromMilliseconds(500));
        lock (stranger.RtpPackets)
        {
            Assert.Empty(stranger.RtpPackets);
        }

        // The caller's NAT gives its stream a new port: same SSRC, so the bridge follows it there.
        for (ushort i = 10; i < 20; i++)
        {
            stranger.SendRtp(bridgeRtp, i, i * 160u);
            await time.Elapse(TimeSpan.FromMilliseconds(20));
        }

        await time.Elapse(TimeSpan.FromMilliseconds(200));
        lock (stranger.RtpPackets)
        {
            Assert.NotEmpty(stranger.RtpPackets);
        }

        phone.Send(InDialog("BYE", ok.To.Tag!, 2), branch: "z9hG4bKbye");
        await phone.ExpectStatusAsync(200, "BYE", time);
        var summary = await SipTestPhone.WhenDoneAsync(env.Bridge.Registry.WhenEnded("call-1@test"), time, TimeSpan.FromSeconds(5));
        Assert.Equal((10L, 1L, 20L), (summary.Media!.ForeignPackets, summary.Media.Relatches, summary.Media.PacketsReceived));
    });

    [Fact]
    public void A_call_on_hold_for_longer_than_the_rtp_timeout_is_not_hung_up_nor_at_once_after_it_resumes() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        var bridgeRtp = new IPEndPoint(IPAddress.Loopback, AnswerPort(ok));
        for (ushort i = 0; i < 10; i++)
        {
            phone.SendRtp(bridgeRtp, i, i * 160u);
            await time.Elapse(TimeSpan.FromMilliseconds(20));
        }

        phone.Send(InDialog("INVITE", ok.To.Tag!, 2, body: Offer.Replace("a=sendrecv", "a=sendonly", StringComparison.Ordinal), contentType: "application/sdp"), branch: "z9hG4bKhold");
        await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 2, time, TimeSpan.FromSeconds(2), "200 to the hold re-INVITE");
        phone.Send(InDialog("ACK", ok.To.Tag!, 2), branch: "z9hG4bKack2");
        await time.Elapse(TimeSpan.FromSeconds(90)); // on hold, no music: no RTP at all

        phone.Send(InDialog("INVITE", ok.To.Tag!, 3, body: Offer, contentType: "application/sdp"), branch: "z9hG4bKresume");
        await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 3, time, TimeSpan.FromSeconds(2), "200 to the resume re-INVITE");
        phone.Send(InDialog("ACK", ok.To.Tag!, 3), branch: "z9hG4bKack3");
        await time.Elapse(TimeSpan.FromSeconds(1));

        Assert.Equal(0, phone.Count(m => m.IsRequest && m.Method == "BYE"));
        Assert.Equal(1, env.Sip!.ActiveCalls);
    });
}
