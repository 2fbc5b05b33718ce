using System.Globalization;
using System.Net;
using System.Text;
using VoiceBridge.Call;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Tests.Call;
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

    [Fact]
    public void A_reinvite_without_an_offer_gets_our_offer_to_send_and_receive_and_the_ack_answer_moves_the_media() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        phone.Send(InDialog("INVITE", ok.To.Tag!, 2, body: Offer.Replace("a=sendrecv", "a=sendonly", StringComparison.Ordinal), contentType: "application/sdp"), branch: "z9hG4bKhold");
        var held = await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 2, time, TimeSpan.FromSeconds(2), "200 to the hold re-INVITE");
        phone.Send(InDialog("ACK", ok.To.Tag!, 2), branch: "z9hG4bKack2");

        // A B2BUA resumes with an empty re-INVITE and moves the media to another port in its ACK.
        phone.Send(InDialog("INVITE", ok.To.Tag!, 3), branch: "z9hG4bKempty");
        var offered = await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 3, time, TimeSpan.FromSeconds(2), "200 with our offer");
        var offer = Encoding.UTF8.GetString(offered.Body);
        Assert.Contains("a=sendrecv", offer, StringComparison.Ordinal);
        Assert.Equal(Version(held) + 1, Version(offered));
        await using var moved = new SipTestPhone(env.Datagrams!, env.Sip!.LocalEndPoint);
        var answer = Offer.Replace("RTPPORT", moved.RtpPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        phone.Send(InDialog("ACK", ok.To.Tag!, 3, body: answer, contentType: "application/sdp"), branch: "z9hG4bKack3");
        await time.Elapse(TimeSpan.FromMilliseconds(500));

        lock (moved.RtpPackets)
        {
            Assert.InRange(moved.RtpPackets.Count, 20, 30);
        }
    });

    [Fact]
    public void A_refused_reoffer_leaves_the_sdp_version_and_the_next_change_takes_the_next_one() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        var g729 = Offer.Replace("RTP/AVP 0 101", "RTP/AVP 18", StringComparison.Ordinal).Replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:18 G729/8000", StringComparison.Ordinal);
        phone.Send(InDialog("INVITE", ok.To.Tag!, 2, body: g729, contentType: "application/sdp"), branch: "z9hG4bKg729");
        await phone.ExpectStatusAsync(488, "INVITE", time);
        phone.Send(InDialog("ACK", ok.To.Tag!, 2), branch: "z9hG4bKg729");

        phone.Send(InDialog("INVITE", ok.To.Tag!, 3, body: Offer, contentType: "application/sdp"), branch: "z9hG4bKsame");
        var same = await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 3, time, TimeSpan.FromSeconds(2), "200 to an unchanged re-offer");
        phone.Send(InDialog("ACK", ok.To.Tag!, 3), branch: "z9hG4bKack3");
        phone.Send(InDialog("INVITE", ok.To.Tag!, 4, body: Offer.Replace("a=sendrecv", "a=sendonly", StringComparison.Ordinal), contentType: "application/sdp"), branch: "z9hG4bKhold");
        var held = await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 4, time, TimeSpan.FromSeconds(2), "200 to the hold");

        Assert.Equal((Version(ok), Version(ok) + 1), (Version(same), Version(held)));
    });

    [Fact]
    public void An_invite_without_an_offer_gets_ours_in_the_200_and_the_answer_in_the_ack_starts_the_media() => Run(async (phone, env, time) =>
    {
        phone.Send(DelayedOfferInvite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        var offer = Encoding.UTF8.GetString(ok.Body);
        Assert.Contains("m=audio ", offer, StringComparison.Ordinal);
        Assert.Contains(" RTP/AVP 0 8 101\r\n", offer, StringComparison.Ordinal);
        Assert.Contains("a=sendrecv", offer, StringComparison.Ordinal);
        await time.Elapse(TimeSpan.FromMilliseconds(300));
        lock (phone.RtpPackets)
        {
            Assert.Empty(phone.RtpPackets); // nowhere to send before the answer
        }

        var answer = Offer.Replace("RTP/AVP 0 101", "RTP/AVP 8 101", StringComparison.Ordinal).Replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", StringComparison.Ordinal);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1, body: answer, contentType: "application/sdp"), branch: "z9hG4bKack");
        await time.Elapse(TimeSpan.FromMilliseconds(500));

        lock (phone.RtpPackets)
        {
            Assert.InRange(phone.RtpPackets.Count, 20, 30);
            Assert.All(phone.RtpPackets, p => Assert.Equal(8, p.PayloadType));
        }

        Assert.Equal(1, env.Sip!.ActiveCalls);
    });

    [Fact]
    public void A_delayed_offer_whose_ack_answers_nothing_we_offered_is_ended_with_a_bye() => Run(async (phone, env, time) =>
    {
        phone.Send(DelayedOfferInvite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        var g729 = Offer.Replace("RTP/AVP 0 101", "RTP/AVP 18", StringComparison.Ordinal).Replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:18 G729/8000", StringComparison.Ordinal);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1, body: g729, contentType: "application/sdp"), branch: "z9hG4bKack");

        var bye = await phone.ExpectAsync(m => m.IsRequest && m.Method == "BYE", time, TimeSpan.FromSeconds(2), "a BYE for the call with no media");
        Assert.Contains("accepts no audio stream we offered", bye.Headers.Get("Reason"), StringComparison.Ordinal);
    });

    private static string DelayedOfferInvite() => Invite(offer: "").Replace("Content-Type: application/sdp\n", "", StringComparison.Ordinal);

    /// <summary>The o= line's session version of a response's SDP.</summary>
    private static ulong Version(SipMessage response) =>
        ulong.Parse(Encoding.UTF8.GetString(response.Body).Split('\n').First(l => l.StartsWith("o=", StringComparison.Ordinal)).Split(' ')[2], CultureInfo.InvariantCulture);

    [Fact]
    public void Agent_audio_due_while_the_caller_holds_waits_and_plays_whole_after_the_resume_and_the_music_on_hold_is_not_heard() => Run(
        async (phone, env, time) =>
        {
            phone.Send(Invite());
            var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
            phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
            await time.Elapse(TimeSpan.FromMilliseconds(400)); // the notice has begun

            phone.Send(InDialog("INVITE", ok.To.Tag!, 2, body: Offer.Replace("a=sendrecv", "a=sendonly", StringComparison.Ordinal), contentType: "application/sdp"), branch: "z9hG4bKhold");
            await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 2, time, TimeSpan.FromSeconds(2), "200 to the hold re-INVITE");
            phone.Send(InDialog("ACK", ok.To.Tag!, 2), branch: "z9hG4bKack2");
            var music = TestAudio.Tone(3000);
            var bridgeRtp = new IPEndPoint(IPAddress.Loopback, AnswerPort(ok));
            for (ushort i = 0; i < 150; i++)
            {
                phone.SendRtp(bridgeRtp, i, i * 160u, audio: music[(i * 160)..((i + 1) * 160)]);
                await time.Elapse(TimeSpan.FromMilliseconds(20));
            }

            int heardBeforeHold;
            lock (phone.RtpPackets)
            {
                heardBeforeHold = phone.RtpPackets.Count(p => !p.Silent);
                Assert.InRange(heardBeforeHold, 1, NoticeFrames - 1);
            }

            phone.Send(InDialog("INVITE", ok.To.Tag!, 3, body: Offer, contentType: "application/sdp"), branch: "z9hG4bKresume");
            await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 3, time, TimeSpan.FromSeconds(2), "200 to the resume re-INVITE");
            phone.Send(InDialog("ACK", ok.To.Tag!, 3), branch: "z9hG4bKack3");
            await time.Elapse(TimeSpan.FromSeconds(3));

            lock (phone.RtpPackets)
            {
                // Every frame of the notice reached the caller, the rest after the hold, none twice.
                output.WriteLine($"{heardBeforeHold} notice frames before the hold, {phone.RtpPackets.Count(p => !p.Silent)} in all");
                Assert.Equal(NoticeFrames, phone.RtpPackets.Count(p => !p.Silent));
            }

            phone.Send(InDialog("BYE", ok.To.Tag!, 4), branch: "z9hG4bKbye");
            var summary = await SipTestPhone.WhenDoneAsync(env.Bridge.Registry.WhenEnded("call-1@test"), time, TimeSpan.FromSeconds(5));
            Assert.Equal(150, summary.Media!.PacketsReceived);
            Assert.DoesNotContain(summary.Turns, t => t.Role == TurnRole.User); // 3 s of music, and no caller turn
        },
        consent: Notice());

    [Theory]
    [InlineData("optional", 200)]
    [InlineData("required", 415)]
    public void A_sip_i_invite_with_sdp_beside_isup_is_answered_unless_the_isup_must_be_understood(string handling, int expected) => Run(async (phone, env, time) =>
    {
        var body = $"""
            --sipi
            Content-Type: application/sdp

            {Offer}
            --sipi
            Content-Type: application/isup;version=itu-t92+
            Content-Disposition: signal;handling={handling}

            IAM 0x0100600a0302
            --sipi--

            """;
        phone.Send(Invite(body).Replace("Content-Type: application/sdp\nContent-Length", "Content-Type: multipart/mixed;boundary=sipi\nContent-Length", StringComparison.Ordinal));
        var answer = await phone.ExpectAsync(m => m.StatusCode >= 200 && m.CSeq.Method == "INVITE", time, TimeSpan.FromSeconds(2), "the final response");
        Assert.Equal(expected, answer.StatusCode);
        if (expected == 415)
        {
            Assert.Equal("application/sdp, multipart/mixed, multipart/alternative", answer.Headers.Get("Accept"));
            Assert.Contains("application/isup", answer.ReasonPhrase, StringComparison.Ordinal);
            return;
        }

        phone.Send(InDialog("ACK", answer.To.Tag!, 1), branch: "z9hG4bKack");
        await time.Elapse(TimeSpan.FromMilliseconds(500));
        lock (phone.RtpPackets)
        {
            Assert.InRange(phone.RtpPackets.Count, 20, 30);
        }

        Assert.Equal(1, env.Sip!.ActiveCalls);
    });

    private const int NoticeFrames = 100;

    /// <summary>A 2 s notice of a steady non-silent mu-law code, so every frame of it is told from silence.</summary>
    private static byte[] Notice() => Enumerable.Repeat((byte)0x20, NoticeFrames * 160).ToArray();
}
