using System.Net;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Operations;
using VoiceBridge.Replay;
using VoiceBridge.Security;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Legs.Sip;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Security;

/// <summary>
/// SIP refusals counted (in virtual time, on the in-memory datagram network as the SIP endpoint's
/// own tests): an INVITE from an unlisted source (403), wrong digest credentials (403 after one fresh
/// challenge), a source over its request rate (503), a call over the node's or the source's limit
/// (503 / 486) while the call already up is unaffected.
/// </summary>
[Collection(RejectionCounting.Name)]
public sealed class SipSecurityTests(ITestOutputHelper output)
{
    private static string Options(int cseq) => $"""
        OPTIONS {SipTestRequests.RequestUri} SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:SIPPORT;branch=BRANCH;rport
        Max-Forwards: 70
        From: <sip:phone@127.0.0.1>;tag=phone1
        To: <sip:agent@127.0.0.1>
        Call-ID: CALLID
        CSeq: {cseq} OPTIONS
        Content-Length: 0


        """;

    [Fact]
    public void An_invite_from_an_unlisted_source_is_refused_403_and_counted() => Run(
        o => o.AllowedSources = [IPNetwork.Parse("10.0.0.0/8")],
        async (phone, sip, time) =>
        {
            var counted = await RejectionCounting.CountAsync(Rejections.SipSource, async () =>
            {
                phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKs1");
                await phone.ExpectStatusAsync(403, "INVITE", time);
            });
            Assert.Equal(1, counted);
            Assert.Equal(0, sip.Counters.Calls);
        });

    [Fact]
    public void Wrong_digest_credentials_are_refused_403_and_counted() => Run(
        o => o.Digest = new SipDigestOptions { Realm = "voicebridge-test", Username = "trunk", Password = "s3cret" },
        async (phone, sip, time) =>
        {
            var counted = await RejectionCounting.CountAsync(Rejections.SipDigest, async () =>
            {
                phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKd1");
                var first = await phone.ExpectStatusAsync(401, "INVITE", time);
                phone.Send(SipTestRequests.Invite(2, Answer(first, "guess")), branch: "z9hG4bKd2");
                var second = await phone.ExpectAsync(m => m.StatusCode == 401 && m.CSeq.Number == 2, time, TimeSpan.FromSeconds(2), "a fresh 401");
                phone.Send(SipTestRequests.Invite(3, Answer(second, "guess")), branch: "z9hG4bKd3");
                await phone.ExpectStatusAsync(403, "INVITE", time);
            });
            Assert.Equal(1, counted);
            Assert.Equal(0, sip.Counters.Calls);
        });

    [Fact]
    public void A_source_over_its_request_rate_gets_503_and_is_counted_then_recovers() => Run(
        o => (o.RequestsPerSecondPerSource, o.RequestBurstPerSource) = (2, 3),
        async (phone, sip, time) =>
        {
            var counted = await RejectionCounting.CountAsync(Rejections.LimitSipRate, async () =>
            {
                for (var i = 1; i <= 5; i++)
                {
                    phone.Send(Options(i), branch: $"z9hG4bKr{i}", callId: $"options-{i}@test");
                }

                await phone.ExpectAsync(m => m.StatusCode == 503 && m.CSeq.Number == 5, time, TimeSpan.FromSeconds(2), "503 to the fifth OPTIONS");
            });
            Assert.Equal(2, counted);
            Assert.Equal(3, phone.Count(m => m.StatusCode == 200));
            Assert.Equal("5", phone.Messages.First(m => m.StatusCode == 503).Headers.Get("Retry-After"));

            await time.Elapse(TimeSpan.FromSeconds(1));
            phone.Send(Options(6), branch: "z9hG4bKr6", callId: "options-6@test");
            await phone.ExpectAsync(m => m.StatusCode == 200 && m.CSeq.Number == 6, time, TimeSpan.FromSeconds(2), "200 after the refill");
        });

    [Fact]
    public void A_call_over_the_limit_gets_503_and_the_call_up_is_unaffected() => Run(
        _ => { },
        async (phone, sip, time) =>
        {
            phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKl1", callId: "first@test");
            await phone.ExpectAsync(m => m.StatusCode == 200 && m.CallId == "first@test", time, TimeSpan.FromSeconds(2), "the first call answered");
            var counted = await RejectionCounting.CountAsync(Rejections.LimitCalls, async () =>
            {
                phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKl2", callId: "second@test");
                await phone.ExpectAsync(m => m.StatusCode == 503 && m.CallId == "second@test", time, TimeSpan.FromSeconds(2), "503 to the second call");
            });
            Assert.Equal(1, counted);
            Assert.Equal(1, sip.ActiveCalls);
            Assert.Equal(1, sip.Limits.Calls);
        },
        new CallLimits(maxCalls: 1));

    [Fact]
    public void A_source_over_its_share_gets_486_busy_here() => Run(
        _ => { },
        async (phone, sip, time) =>
        {
            phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKp1", callId: "first@test");
            await phone.ExpectAsync(m => m.StatusCode == 200 && m.CallId == "first@test", time, TimeSpan.FromSeconds(2), "the first call answered");
            var counted = await RejectionCounting.CountAsync(Rejections.LimitSourceCalls, async () =>
            {
                phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKp2", callId: "second@test");
                await phone.ExpectAsync(m => m.StatusCode == 486 && m.CallId == "second@test", time, TimeSpan.FromSeconds(2), "486 to the second call");
            });
            Assert.Equal(1, counted);
            Assert.Equal(1, sip.ActiveCalls);
        },
        new CallLimits(maxCalls: 10, maxCallsPerSource: 1));

    private static string Answer(SipMessage challenge, string password) =>
        SipTestRequests.Answer(challenge.Headers.GetAll("WWW-Authenticate")[1], "trunk", password, 1);

    private void Run(Action<SipOptions> configure, Func<SipTestPhone, SipEndpoint, FakeTimeProvider, Task> body, CallLimits? limits = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(10), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), new CallSessionOptions(), time, loggers, leg: ReplayLeg.Sip);
            var options = new SipOptions { Listen = new IPEndPoint(IPAddress.Loopback, 5071), RtpPortMin = 30000, RtpPortMax = 30100 };
            configure(options);
            await using var sip = env.Bridge.CreateSipEndpoint(options, env.Datagrams!);
            sip.Limits = limits ?? CallLimits.Unlimited;
            sip.Start();
            await using var phone = new SipTestPhone(env.Datagrams!, sip.LocalEndPoint);
            await body(phone, sip, time);
            Assert.Empty(phone.Malformed);
            return 0;
        });
    }
}
