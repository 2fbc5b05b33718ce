using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// The SIP user agent server on the in-memory network and a fake clock, driven by hand-written
/// requests: responses per RFC 3261 for what it takes and what it does not, transactions and
/// retransmission timers, dialogs, CANCEL, re-INVITE, rport and the allow-list.
/// </summary>
public sealed partial class SipEndpointTests(ITestOutputHelper output)
{
    private const string Offer = """
        v=0
        o=phone 1 1 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio RTPPORT RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=sendrecv

        """;

    private static string Invite(string offer = Offer, string extra = "") => $"""
        INVITE sip:agent@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:SIPPORT;branch=BRANCH;rport
        Max-Forwards: 70
        From: <sip:phone@127.0.0.1>;tag=phone1
        To: <sip:agent@127.0.0.1>
        Call-ID: CALLID
        CSeq: 1 INVITE
        Contact: <sip:phone@127.0.0.1:SIPPORT>
        {extra}Content-Type: application/sdp
        Content-Length: AUTO

        {offer}
        """.Replace("\n\n\n", "\n\n", StringComparison.Ordinal);

    private static string InDialog(string method, string toTag, int cseq, string cseqMethod = "", string body = "", string contentType = "") => $"""
        {method} sip:agent@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:SIPPORT;branch=BRANCH;rport
        Max-Forwards: 70
        From: <sip:phone@127.0.0.1>;tag=phone1
        To: <sip:agent@127.0.0.1>;tag={toTag}
        Call-ID: CALLID
        CSeq: {cseq} {(cseqMethod.Length > 0 ? cseqMethod : method)}
        {(contentType.Length > 0 ? $"Content-Type: {contentType}\n" : "")}Content-Length: AUTO

        {body}
        """;

    private static string OutOfDialog(string method) => $"""
        {method} sip:agent@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:SIPPORT;branch=BRANCH;rport
        Max-Forwards: 70
        From: <sip:phone@127.0.0.1>;tag=phone1
        To: <sip:agent@127.0.0.1>
        Call-ID: CALLID
        CSeq: 1 {method}
        Content-Length: 0


        """;

    [Fact]
    public void Options_is_answered_with_what_we_allow() => Run(async (phone, _, time) =>
    {
        phone.Send(OutOfDialog("OPTIONS"));
        var ok = await phone.ExpectStatusAsync(200, "OPTIONS", time);
        Assert.Contains("INVITE", ok.Headers.Get("Allow"), StringComparison.Ordinal);
        Assert.Equal("application/sdp, multipart/mixed, multipart/alternative", ok.Headers.Get("Accept"));
        Assert.Equal("z9hG4bKtest1", ok.TopVia.Branch);
    });

    [Fact]
    public void Methods_we_do_not_take_are_answered_405_or_501_not_ignored() => Run(async (phone, _, time) =>
    {
        phone.Send(OutOfDialog("SUBSCRIBE"), branch: "z9hG4bKsub");
        var notAllowed = await phone.ExpectStatusAsync(405, "SUBSCRIBE", time);
        Assert.Contains("BYE", notAllowed.Headers.Get("Allow"), StringComparison.Ordinal);
        phone.Send(OutOfDialog("FROBNICATE"), branch: "z9hG4bKfoo");
        await phone.ExpectStatusAsync(501, "FROBNICATE", time);
    });

    [Fact]
    public void A_malformed_request_gets_400_naming_the_problem_and_garbage_is_dropped() => Run(async (phone, env, time) =>
    {
        phone.Send("this is not SIP\r\n\r\n");
        phone.Send(OutOfDialog("OPTIONS").Replace("Content-Length: 0", "Content-Length: 999", StringComparison.Ordinal), branch: "z9hG4bKbad");
        var bad = await phone.ExpectAsync(m => m.StatusCode == 400, time, TimeSpan.FromSeconds(2), "400");
        output.WriteLine(bad.ReasonPhrase);
        Assert.StartsWith("Bad Request", bad.ReasonPhrase, StringComparison.Ordinal);
        Assert.Contains("Content-Length", bad.ReasonPhrase, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(phone.Local.Port, bad.TopVia.Rport); // RFC 3581: the source port, as any response says
        Assert.Equal(2, env.Sip!.Counters.Malformed);
        phone.Send(OutOfDialog("OPTIONS"), branch: "z9hG4bKgood");
        await phone.ExpectStatusAsync(200, "OPTIONS", time);
    });

    [Fact]
    public void An_offer_without_G711_is_refused_488_with_a_warning_until_acked() => Run(async (phone, env, time) =>
    {
        var g729 = Offer.Replace("RTP/AVP 0 101", "RTP/AVP 18", StringComparison.Ordinal).Replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:18 G729/8000", StringComparison.Ordinal);
        phone.Send(Invite(g729));
        var refused = await phone.ExpectStatusAsync(488, "INVITE", time);
        Assert.StartsWith("305 ", refused.Headers.Get("Warning"), StringComparison.Ordinal);
        await phone.ExpectAsync(m => m.StatusCode == 488 && phone.Count(x => x.StatusCode == 488) >= 2, time, TimeSpan.FromSeconds(2), "the 488 retransmitted (timer G)");
        Assert.NotNull(refused.To.Tag);
        phone.Send(InDialog("ACK", refused.To.Tag!, 1));
        var sent = phone.Count(m => m.StatusCode == 488);
        await time.Elapse(TimeSpan.FromSeconds(10));
        Assert.Equal(sent, phone.Count(m => m.StatusCode == 488));
        Assert.Equal(0, env.Sip!.ActiveCalls);
    });

    [Fact]
    public void Bye_and_cancel_outside_a_dialog_get_481() => Run(async (phone, _, time) =>
    {
        phone.Send(InDialog("BYE", "nosuchtag", 2), branch: "z9hG4bKbye");
        await phone.ExpectStatusAsync(481, "BYE", time);
        phone.Send(InDialog("CANCEL", "", 1).Replace(";tag=\n", "\n", StringComparison.Ordinal), branch: "z9hG4bKnone");
        await phone.ExpectStatusAsync(481, "CANCEL", time);
    });

    [Fact]
    public void Too_many_hops_and_an_unknown_uri_scheme_are_refused() => Run(async (phone, _, time) =>
    {
        phone.Send(Invite().Replace("Max-Forwards: 70", "Max-Forwards: 0", StringComparison.Ordinal));
        await phone.ExpectStatusAsync(483, "INVITE", time);
        phone.Send(Invite().Replace("INVITE sip:agent@", "INVITE mailto:agent@", StringComparison.Ordinal), branch: "z9hG4bKmail", callId: "call-2@test");
        await phone.ExpectStatusAsync(416, "INVITE", time);
    });

    [Fact]
    public void A_call_is_answered_trying_then_ok_without_ringing_and_a_retransmitted_invite_makes_no_second_call() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        await phone.ExpectStatusAsync(100, "INVITE", time);
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        Assert.Equal(0, phone.Count(m => !m.IsRequest && m.StatusCode is > 100 and < 200));
        Assert.NotNull(ok.To.Tag);
        Assert.NotNull(ok.Contact);
        Assert.Equal("application/sdp", ok.Headers.Get("Content-Type"));
        var answer = Encoding.UTF8.GetString(ok.Body);
        Assert.Contains("m=audio ", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:0 PCMU/8000", answer, StringComparison.Ordinal);
        phone.Send(Invite());
        await phone.ExpectAsync(m => phone.Count(x => x.StatusCode == 200) >= 2, time, TimeSpan.FromSeconds(1), "the 200 again for the retransmitted INVITE");
        Assert.Equal(1, env.Sip!.ActiveCalls);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        phone.Send(InDialog("BYE", ok.To.Tag!, 2), branch: "z9hG4bKbye");
        await phone.ExpectStatusAsync(200, "BYE", time);
        var summary = await SipTestPhone.WhenDoneAsync(env.Bridge.Registry.WhenEnded("call-1@test"), time, TimeSpan.FromSeconds(5));
        Assert.Equal("sip", summary.Leg);
        Assert.NotNull(summary.Media);
        Assert.Equal(0, env.Sip.ActiveCalls);
    });

    [Fact]
    public void An_unacknowledged_200_is_retransmitted_doubling_to_T2_then_the_call_is_ended_with_bye() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var first = await phone.ExpectStatusAsync(200, "INVITE", time);
        var answeredAt = time.GetUtcNow();
        var bye = await phone.ExpectAsync(m => m.IsRequest && m.Method == "BYE", time, TimeSpan.FromSeconds(40), "BYE after no ACK");
        Assert.InRange((time.GetUtcNow() - answeredAt).TotalSeconds, 32, 32.5); // 64*T1, not the next retransmission's slot (35.5 s)
        // T1 = 500 ms doubling to T2 = 4 s within 64*T1 = 32 s: at 0.5, 1.5, 3.5, 7.5, 11.5, ... 31.5 s.
        var oks = phone.Count(m => m.StatusCode == 200 && m.CSeq.Method == "INVITE");
        Assert.InRange(oks, 9, 12);
        Assert.Equal(first.To.Tag, bye.From.Tag);
        Assert.Equal("phone1", bye.To.Tag);
        Assert.Equal("sip:phone@127.0.0.1:" + phone.Local.Port, bye.RequestUri);
    });

    [Fact]
    public void Cancel_after_the_answer_changes_nothing_and_bye_from_us_is_retransmitted_until_answered() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        phone.Send(InDialog("CANCEL", "", 1).Replace(";tag=\n", "\n", StringComparison.Ordinal));
        var cancelled = await phone.ExpectStatusAsync(200, "CANCEL", time);
        Assert.Equal(ok.To.Tag, cancelled.To.Tag);
        Assert.Equal(1, env.Sip!.ActiveCalls);
        await env.Sip.DisposeAsync();
        await phone.ExpectAsync(m => m.IsRequest && m.Method == "BYE", time, TimeSpan.FromSeconds(2), "BYE from the stopping server");
    });

    [Fact]
    public void Rtp_flows_both_ways_with_one_ssrc_and_a_hold_reinvite_stops_ours() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        var answeredAt = time.GetUtcNow();
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        var port = int.Parse(Encoding.UTF8.GetString(ok.Body).Split('\n').First(l => l.StartsWith("m=audio", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var bridgeRtp = new IPEndPoint(IPAddress.Loopback, port);
        for (ushort i = 0; i < 50; i++)
        {
            phone.SendRtp(bridgeRtp, i, i * 160u);
            await time.Elapse(TimeSpan.FromMilliseconds(20));
        }

        int received;
        lock (phone.RtpPackets)
        {
            received = phone.RtpPackets.Count;
            var expected = (int)((time.GetUtcNow() - answeredAt).TotalMilliseconds / 20);
            output.WriteLine($"{received} packets in {(time.GetUtcNow() - answeredAt).TotalMilliseconds} ms");
            Assert.InRange(received, expected - 2, expected + 1);
            Assert.Single(phone.RtpPackets.Select(p => p.Ssrc).Distinct());
            Assert.All(phone.RtpPackets.Zip(phone.RtpPackets.Skip(1)), p =>
            {
                Assert.Equal((ushort)(p.First.Sequence + 1), p.Second.Sequence);
                Assert.Equal(p.First.Timestamp + 160, p.Second.Timestamp);
            });
        }

        phone.Send(InDialog("INVITE", ok.To.Tag!, 2, body: Offer.Replace("a=sendrecv", "a=sendonly", StringComparison.Ordinal), contentType: "application/sdp"), branch: "z9hG4bKhold");
        var held = await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 2, time, TimeSpan.FromSeconds(2), "200 to the hold re-INVITE");
        Assert.Contains("a=recvonly", Encoding.UTF8.GetString(held.Body), StringComparison.Ordinal);
        phone.Send(InDialog("ACK", ok.To.Tag!, 2), branch: "z9hG4bKack2");
        await time.Elapse(TimeSpan.FromMilliseconds(100));
        int afterHold;
        lock (phone.RtpPackets)
        {
            afterHold = phone.RtpPackets.Count;
        }

        await time.Elapse(TimeSpan.FromSeconds(1));
        lock (phone.RtpPackets)
        {
            Assert.Equal(afterHold, phone.RtpPackets.Count);
        }
    });

    [Fact]
    public void Info_digits_reach_the_call_and_requests_out_of_cseq_order_get_500_and_change_nothing() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        phone.Send(InDialog("INFO", ok.To.Tag!, 3, body: "5", contentType: "application/dtmf"), branch: "z9hG4bKinfo3");
        await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 3, time, TimeSpan.FromSeconds(2), "200 to the INFO");

        phone.Send(InDialog("INFO", ok.To.Tag!, 2, body: "Signal=7\nDuration=160\n", contentType: "application/dtmf-relay"), branch: "z9hG4bKinfo2");
        await phone.ExpectAsync(m => m.StatusCode == 500 && m.CSeq.Number == 2 && m.CSeq.Method == "INFO", time, TimeSpan.FromSeconds(2), "500 to the late INFO");
        phone.Send(InDialog("BYE", ok.To.Tag!, 2), branch: "z9hG4bKbye2");
        await phone.ExpectAsync(m => m.StatusCode == 500 && m.CSeq.Method == "BYE", time, TimeSpan.FromSeconds(2), "500 to the late BYE");
        Assert.Equal(1, env.Sip!.ActiveCalls);

        phone.Send(InDialog("BYE", ok.To.Tag!, 4), branch: "z9hG4bKbye4");
        await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Method == "BYE", time, TimeSpan.FromSeconds(2), "200 to the BYE");
        var summary = await SipTestPhone.WhenDoneAsync(env.Bridge.Registry.WhenEnded("call-1@test"), time, TimeSpan.FromSeconds(5));
        Assert.Equal(1, summary.Media!.DtmfDigits);
    });

    [Fact]
    public void A_source_outside_the_allow_list_gets_403_and_no_call() => Run(async (phone, env, time) =>
    {
        await using var guarded = env.Bridge.CreateSipEndpoint(
            new SipOptions { Listen = new IPEndPoint(IPAddress.Loopback, 5070), AllowedSources = [IPNetwork.Parse("10.0.0.0/8")] }, env.Datagrams!);
        guarded.Start();
        phone.Send(Invite(), to: guarded.LocalEndPoint);
        await phone.ExpectStatusAsync(403, "INVITE", time);
        Assert.Equal(0, guarded.ActiveCalls);
        Assert.Equal(1, guarded.Counters.Refused);
    });

    [Fact]
    public void Responses_follow_rport_to_the_source_port_not_the_via_port() => Run(async (phone, _, time) =>
    {
        phone.Send(OutOfDialog("OPTIONS").Replace("127.0.0.1:SIPPORT;branch", "127.0.0.1:5999;branch", StringComparison.Ordinal));
        var ok = await phone.ExpectStatusAsync(200, "OPTIONS", time);
        Assert.Equal(phone.Local.Port, ok.TopVia.Rport);
        Assert.Equal(5999, ok.TopVia.Port);
    });

    [Fact]
    public void Bad_rtp_is_counted_and_dropped_and_the_call_goes_on() => Run(async (phone, env, time) =>
    {
        phone.Send(Invite());
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        var bridgeRtp = new IPEndPoint(IPAddress.Loopback, AnswerPort(ok));
        phone.SendRaw(bridgeRtp, [0x80, 0x00, 0x01]);
        phone.SendRaw(bridgeRtp, [.. new byte[] { 0x40, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1 }, .. new byte[160]]);
        phone.SendRtp(bridgeRtp, 1, 160, payloadType: 18);
        for (ushort i = 2; i < 20; i++)
        {
            phone.SendRtp(bridgeRtp, i, i * 160u);
            await time.Elapse(TimeSpan.FromMilliseconds(20));
        }

        phone.Send(InDialog("BYE", ok.To.Tag!, 2), branch: "z9hG4bKbye");
        await phone.ExpectStatusAsync(200, "BYE", time);
        var summary = await SipTestPhone.WhenDoneAsync(env.Bridge.Registry.WhenEnded("call-1@test"), time, TimeSpan.FromSeconds(5));
        Assert.Equal((2L, 1L, 18L), (summary.Media!.BadPackets, summary.Media.UnknownPayloadTypePackets, summary.Media.PacketsReceived));
    });

    [Fact]
    public void Requests_we_send_in_the_dialog_follow_its_record_route() => Run(async (phone, env, time) =>
    {
        var proxy = $"<sip:127.0.0.1:{phone.Local.Port};lr>";
        phone.Send(Invite(extra: $"Record-Route: {proxy}\n"));
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        Assert.Equal(proxy, ok.Headers.Get("Record-Route"));
        phone.Send(InDialog("ACK", ok.To.Tag!, 1), branch: "z9hG4bKack");
        await env.Sip!.DisposeAsync();
        var bye = await phone.ExpectAsync(m => m.IsRequest && m.Method == "BYE", time, TimeSpan.FromSeconds(2), "BYE through the proxy");
        Assert.Equal(proxy, bye.Headers.Get("Route"));
        Assert.Equal("sip:phone@127.0.0.1:" + phone.Local.Port, bye.RequestUri);
    });

    [Fact]
    public void Random_and_mutated_datagrams_never_stop_the_endpoint_nor_leave_transactions_behind() => Run(async (phone, env, time) =>
    {
        var random = new Random(4475);
        var valid = Encoding.UTF8.GetBytes(OutOfDialog("OPTIONS").Replace("SIPPORT", phone.Local.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
        for (var i = 0; i < 2000; i++)
        {
            var datagram = i % 2 == 0 ? new byte[random.Next(0, 300)] : (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                random.NextBytes(datagram);
            }
            else
            {
                for (var m = 0; m < 1 + random.Next(4); m++)
                {
                    datagram[random.Next(datagram.Length)] = (byte)random.Next(256);
                }
            }

            phone.SendRaw(env.Sip!.LocalEndPoint, datagram);
        }

        await time.Elapse(TimeSpan.FromMinutes(1));
        Assert.Equal(0, env.Sip!.ServerTransactions);
        // A 400 to a broken request copies its broken From/To/Via as received (RFC 3261 8.2.6), which the phone's parser refuses in turn.
        phone.Malformed.Clear();
        phone.Send(OutOfDialog("OPTIONS"), branch: "z9hG4bKafter");
        await phone.ExpectAsync(m => m.StatusCode == 200 && m.TopVia.Branch == "z9hG4bKafter", time, TimeSpan.FromSeconds(2), "200 to OPTIONS after the noise");
        Assert.Equal(0, env.Sip.ActiveCalls);
    });

    private static int AnswerPort(SipMessage ok) =>
        int.Parse(Encoding.UTF8.GetString(ok.Body).Split('\n').First(l => l.StartsWith("m=audio", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    private void Run(Func<SipTestPhone, ReplayEnvironment, FakeTimeProvider, Task> body, byte[]? consent = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(2), async () =>
        {
            var options = new CallSessionOptions { DryRunTools = true, Consent = consent };
            await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), options, time, loggers, leg: ReplayLeg.Sip);
            await using var phone = new SipTestPhone(env.Datagrams!, env.Sip!.LocalEndPoint);
            await body(phone, env, time);
            Assert.Empty(phone.Malformed);
            return 0;
        });
    }
}
