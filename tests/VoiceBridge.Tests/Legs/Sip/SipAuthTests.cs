using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Cli;
using VoiceBridge.Engines;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// Inbound digest authentication on the SIP endpoint (in virtual time): an INVITE is challenged
/// with SHA-256 and MD5, answered, and taken; wrong credentials get one fresh challenge, then 403;
/// an expired nonce is challenged again as stale; and serve's options that configure it.
/// </summary>
public sealed class SipAuthTests(ITestOutputHelper output)
{
    private static string Ack(int cseq, string toTag) => $"""
        ACK {SipTestRequests.RequestUri} SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:SIPPORT;branch=BRANCH;rport
        Max-Forwards: 70
        From: <sip:phone@127.0.0.1>;tag=phone1
        To: <sip:agent@127.0.0.1>;tag={toTag}
        Call-ID: CALLID
        CSeq: {cseq} ACK
        Content-Length: 0


        """;

    [Fact]
    public void An_invite_is_challenged_with_sha256_then_md5_and_taken_once_answered() => Run(async (phone, sip, time) =>
    {
        phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKa1");
        var challenge = await phone.ExpectStatusAsync(401, "INVITE", time);
        var offered = challenge.Headers.GetAll("WWW-Authenticate");
        Assert.Equal(2, offered.Count);
        Assert.Contains("algorithm=SHA-256", offered[0], StringComparison.Ordinal);
        Assert.Contains("algorithm=MD5", offered[1], StringComparison.Ordinal);
        Assert.All(offered, o => Assert.Contains("qop=\"auth\"", o, StringComparison.Ordinal));
        Assert.All(offered, o => Assert.Contains("realm=\"voicebridge-test\"", o, StringComparison.Ordinal));
        phone.Send(Ack(1, challenge.To.Tag!), branch: "z9hG4bKa1");
        Assert.Equal(0, sip.ActiveCalls);

        phone.Send(SipTestRequests.Invite(2, SipTestRequests.Answer(offered[1], "trunk", "s3cret", 1)), branch: "z9hG4bKa2");
        var ok = await phone.ExpectStatusAsync(200, "INVITE", time);
        Assert.Equal(2, ok.CSeq.Number);
        Assert.Equal(1, sip.ActiveCalls);
        phone.Send(Ack(2, ok.To.Tag!), branch: "z9hG4bKa3");
        phone.Send(Ack(2, ok.To.Tag!).Replace("ACK ", "BYE ", StringComparison.Ordinal).Replace("2 ACK", "3 BYE", StringComparison.Ordinal), branch: "z9hG4bKa4");
        await phone.ExpectStatusAsync(200, "BYE", time);
        Assert.Equal(0, phone.Count(m => m.StatusCode is 401 or 403 && m.CSeq.Number != 1));
    });

    [Fact]
    public void Sha256_credentials_are_taken_too_and_options_outside_a_dialog_is_challenged() => Run(async (phone, sip, time) =>
    {
        phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKb1");
        var challenge = await phone.ExpectStatusAsync(401, "INVITE", time);
        phone.Send(SipTestRequests.Invite(2, SipTestRequests.Answer(challenge.Headers.GetAll("WWW-Authenticate")[0], "trunk", "s3cret", 1)), branch: "z9hG4bKb2");
        await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(SipTestRequests.Invite(1).Replace("INVITE", "OPTIONS", StringComparison.Ordinal), branch: "z9hG4bKb3", callId: "options-1@test");
        await phone.ExpectStatusAsync(401, "OPTIONS", time);
    });

    [Fact]
    public void A_wrong_password_gets_one_fresh_challenge_then_403_and_no_call() => Run(async (phone, sip, time) =>
    {
        phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKc1");
        var first = await phone.ExpectStatusAsync(401, "INVITE", time);
        phone.Send(SipTestRequests.Invite(2, SipTestRequests.Answer(first.Headers.GetAll("WWW-Authenticate")[1], "trunk", "guess", 1)), branch: "z9hG4bKc2");
        var second = await phone.ExpectAsync(m => m.StatusCode == 401 && m.CSeq.Number == 2, time, TimeSpan.FromSeconds(2), "a fresh 401");
        Assert.NotEqual(Nonce(first), Nonce(second));
        Assert.DoesNotContain("stale", second.Headers.Get("WWW-Authenticate"), StringComparison.OrdinalIgnoreCase);
        phone.Send(SipTestRequests.Invite(3, SipTestRequests.Answer(second.Headers.GetAll("WWW-Authenticate")[1], "trunk", "guess", 1)), branch: "z9hG4bKc3");
        var refused = await phone.ExpectStatusAsync(403, "INVITE", time);
        Assert.Equal(3, refused.CSeq.Number);
        Assert.Equal(0, sip.ActiveCalls);
        Assert.Equal(0, sip.Counters.Calls);
    });

    [Fact]
    public void An_expired_nonce_is_challenged_again_as_stale_and_the_new_one_is_taken() => Run(async (phone, sip, time) =>
    {
        phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKd1");
        var first = await phone.ExpectStatusAsync(401, "INVITE", time);
        phone.Send(Ack(1, first.To.Tag!), branch: "z9hG4bKd1");
        await time.Elapse(TimeSpan.FromMinutes(6));
        phone.Send(SipTestRequests.Invite(2, SipTestRequests.Answer(first.Headers.GetAll("WWW-Authenticate")[1], "trunk", "s3cret", 1)), branch: "z9hG4bKd2");
        var stale = await phone.ExpectAsync(m => m.StatusCode == 401 && m.CSeq.Number == 2, time, TimeSpan.FromSeconds(2), "a stale 401");
        Assert.All(stale.Headers.GetAll("WWW-Authenticate"), h => Assert.Contains("stale=TRUE", h, StringComparison.Ordinal));
        phone.Send(SipTestRequests.Invite(3, SipTestRequests.Answer(stale.Headers.GetAll("WWW-Authenticate")[1], "trunk", "s3cret", 1)), branch: "z9hG4bKd3");
        await phone.ExpectStatusAsync(200, "INVITE", time);
        Assert.Equal(1, sip.ActiveCalls);
    });

    [Fact]
    public void A_replayed_authorized_invite_is_not_taken_twice() => Run(async (phone, sip, time) =>
    {
        phone.Send(SipTestRequests.Invite(1), branch: "z9hG4bKe1");
        var challenge = await phone.ExpectStatusAsync(401, "INVITE", time);
        var authorization = SipTestRequests.Answer(challenge.Headers.GetAll("WWW-Authenticate")[1], "trunk", "s3cret", 1);
        phone.Send(SipTestRequests.Invite(2, authorization), branch: "z9hG4bKe2");
        await phone.ExpectStatusAsync(200, "INVITE", time);
        phone.Send(SipTestRequests.Invite(2, authorization), branch: "z9hG4bKe9", callId: "replayed@test");
        var replay = await phone.ExpectAsync(m => m.StatusCode == 401 && m.CallId == "replayed@test", time, TimeSpan.FromSeconds(2), "401 to the replay");
        Assert.Contains("stale=TRUE", replay.Headers.Get("WWW-Authenticate"), StringComparison.Ordinal);
        Assert.Equal(1, sip.Counters.Calls);
    });

    [Fact]
    public void Serve_reads_sip_auth_from_the_environment_and_it_lets_a_public_listener_start()
    {
        var errors = new List<string>();
        var options = ReadSettings(["--sip-listen", "0.0.0.0:5060", "--sip-advertise", "203.0.113.5", "--sip-realm", "acme"], errors, new() { [SipSettings.AuthVariable] = "trunk:pa:ss" });
        Assert.Empty(errors);
        Assert.Equal(("acme", "trunk", "pa:ss"), (options!.Digest!.Realm, options.Digest.Username, options.Digest.Password));

        errors.Clear();
        ReadSettings(["--sip-listen", "0.0.0.0:5060", "--sip-advertise", "203.0.113.5"], errors, []);
        Assert.Contains(errors, e => e.Contains("source allow-list (--sip-allow) or digest authentication", StringComparison.Ordinal));

        errors.Clear();
        ReadSettings(["--sip-auth", "nocolon"], errors, []);
        Assert.Contains(errors, e => e.Contains("is not USER:PASSWORD", StringComparison.Ordinal));
    }

    [Fact]
    public void Serve_reads_sip_register_with_credentials_from_the_environment()
    {
        var errors = new List<string>();
        var options = ReadSettings(["--sip-register", "sip:1234@trunk.example.com:5080", "--sip-register-expires", "600"], errors, new() { [SipSettings.RegisterAuthVariable] = "1234:pw" });
        Assert.Empty(errors);
        var registration = options!.Registration!;
        Assert.Equal(("sip:1234@trunk.example.com:5080", "1234", "pw", TimeSpan.FromMinutes(10)), (registration.AddressOfRecord, registration.Username, registration.Password, registration.Expires));

        errors.Clear();
        ReadSettings(["--sip-register", "tel:1234", "--sip-register-expires", "5"], errors, []);
        Assert.Contains(errors, e => e.Contains("is not sip:user@host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("outside 60 s - 1 day", StringComparison.Ordinal));
    }

    private static string Nonce(SipMessage challenge)
    {
        SipDigestChallenge.TryParse(challenge.Headers.Get("WWW-Authenticate")!, out var parsed, out _);
        return parsed!.Nonce;
    }

    private static SipOptions? ReadSettings(string[] args, List<string> errors, Dictionary<string, string> environment)
    {
        var settings = new SipSettings();
        var command = new RootCommand();
        settings.AddTo(command);
        return settings.Read(command.Parse(args), errors, name => environment.GetValueOrDefault(name));
    }

    private void Run(Func<SipTestPhone, SipEndpoint, FakeTimeProvider, Task> body)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(10), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), new CallSessionOptions(), time, loggers, leg: ReplayLeg.Sip);
            var options = new SipOptions
            {
                Listen = new IPEndPoint(IPAddress.Loopback, 5071),
                RtpPortMin = 30000,
                RtpPortMax = 30100,
                Digest = new SipDigestOptions { Realm = "voicebridge-test", Username = "trunk", Password = "s3cret" },
            };
            Assert.Empty(options.Validate(digestConfigured: false));
            await using var sip = env.Bridge.CreateSipEndpoint(options, env.Datagrams!);
            sip.Start();
            await using var phone = new SipTestPhone(env.Datagrams!, sip.LocalEndPoint);
            await body(phone, sip, time);
            Assert.Empty(phone.Malformed);
            return 0;
        });
    }
}
