using System.Net;
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
/// Registration to a trunk against a fake registrar on the in-memory network, in virtual time:
/// challenged and answered (MD5 qop=auth, SHA-256 when offered, 407 too), refreshed at half the
/// granted lifetime with the same Call-ID, From tag and a rising CSeq, removed on stop; refused
/// credentials, a silent registrar and 423 handled with back-off; a stale nonce answered again.
/// </summary>
public sealed class SipRegistrationTests(ITestOutputHelper output)
{
    private static readonly IPEndPoint RegistrarAt = new(IPAddress.Parse("127.0.0.2"), 5060);

    [Fact]
    public void Register_is_challenged_answered_with_md5_refreshed_at_half_the_grant_and_removed_on_stop() => Run(async (registrar, start, time) =>
    {
        var sip = start(new SipRegistrationOptions { AddressOfRecord = "sip:1234@127.0.0.2", Password = "pw", Expires = TimeSpan.FromMinutes(10) });
        await Until(() => sip.Registration!.State == SipRegistrationState.Registered, time, TimeSpan.FromSeconds(5));
        var first = registrar.Exchanges;
        Assert.Equal([401, 200], first.Select(e => e.Status));
        var (challenged, answered) = (first[0].Request, first[1].Request);
        Assert.Null(challenged.Headers.Get("Authorization"));
        var credentials = Credentials(answered, "Authorization");
        Assert.Equal((SipDigestAlgorithm.Md5, "auth", "00000001", "sip:127.0.0.2", "1234"), (credentials.Algorithm, credentials.Qop, credentials.NonceCount, credentials.Uri, credentials.Username));
        Assert.Equal("sip:127.0.0.2", answered.RequestUri);
        Assert.Equal("<sip:1234@127.0.0.1:5072;transport=udp>", answered.Headers.Get("Contact"));
        Assert.Equal("600", answered.Headers.Get("Expires"));
        Assert.Equal("sip:1234@127.0.0.2", answered.To.Uri.ToString());
        Assert.Null(answered.To.Tag);
        Assert.InRange((sip.Registration!.ExpiresAt!.Value - time.GetUtcNow()).TotalSeconds, 119.9, 120);

        // Refreshed at half the 120 s granted: not before 60 s, reusing the nonce with nc=2 (no new challenge).
        await time.Elapse(TimeSpan.FromSeconds(59));
        Assert.Equal(2, registrar.Exchanges.Count);
        await Until(() => sip.Registration!.Registrations == 2, time, TimeSpan.FromSeconds(2));
        var refresh = registrar.Exchanges[2];
        Assert.Equal(200, refresh.Status);
        Assert.Equal("00000002", Credentials(refresh.Request, "Authorization").NonceCount);
        var all = registrar.Exchanges.Select(e => e.Request).ToList();
        Assert.Single(all.Select(r => r.CallId).Distinct());
        Assert.Single(all.Select(r => r.From.Tag).Distinct());
        Assert.Equal(all.Select(r => r.CSeq.Number).Order(), all.Select(r => r.CSeq.Number));
        Assert.Equal(3, all.Select(r => r.CSeq.Number).Distinct().Count());
        Assert.Equal(3, all.Select(r => r.TopVia.Branch).Distinct().Count());

        await sip.DisposeAsync();
        var removal = registrar.Exchanges[^1];
        Assert.Equal(("0", 200), (removal.Request.Headers.Get("Expires"), removal.Status));
        Assert.Equal(SipRegistrationState.NotRegistered, sip.Registration!.State);
    });

    [Fact]
    public void Sha256_is_chosen_when_offered_and_a_407_is_answered_with_proxy_authorization() => Run(async (registrar, start, time) =>
    {
        registrar.Algorithms = ["MD5", "SHA-256"];
        registrar.ChallengeStatus = 407;
        var sip = start(new SipRegistrationOptions { AddressOfRecord = "sip:1234@127.0.0.2:5060", Username = "1234", Password = "pw" });
        await Until(() => sip.Registration!.State == SipRegistrationState.Registered, time, TimeSpan.FromSeconds(5));
        var answered = registrar.Exchanges[1].Request;
        Assert.Null(answered.Headers.Get("Authorization"));
        Assert.Equal(SipDigestAlgorithm.Sha256, Credentials(answered, "Proxy-Authorization").Algorithm);
        Assert.Equal("sip:127.0.0.2:5060", answered.RequestUri);
        Assert.Equal("3600", registrar.Exchanges[0].Request.Headers.Get("Expires"));
    });

    [Fact]
    public void Refused_credentials_fail_without_looping_and_are_retried_with_doubling_back_off() => Run(async (registrar, start, time) =>
    {
        registrar.Password = "other";
        var sip = start(new SipRegistrationOptions { AddressOfRecord = "sip:1234@127.0.0.2", Password = "pw" });
        await Until(() => sip.Registration!.State == SipRegistrationState.Failing, time, TimeSpan.FromSeconds(5));
        Assert.Equal([401, 401], registrar.Exchanges.Select(e => e.Status));
        Assert.Contains("refused our credentials", sip.Registration!.LastError, StringComparison.Ordinal);
        var failedAt = time.GetUtcNow();

        // First retry after RetryMin (30 s), the next after 60 s.
        await Until(() => sip.Registration!.FailuresInARow == 2, time, TimeSpan.FromSeconds(31));
        Assert.InRange((time.GetUtcNow() - failedAt).TotalSeconds, 29.9, 30.2);
        await Until(() => sip.Registration!.FailuresInARow == 3, time, TimeSpan.FromSeconds(61));
        Assert.InRange((time.GetUtcNow() - failedAt).TotalSeconds, 89.9, 90.3);
        await sip.DisposeAsync();
        Assert.Equal(6, registrar.Exchanges.Count);
    });

    [Fact]
    public void A_silent_registrar_times_out_after_64_T1_then_registration_succeeds_when_it_answers() => Run(async (registrar, start, time) =>
    {
        registrar.Silent = true;
        var sip = start(new SipRegistrationOptions { AddressOfRecord = "sip:1234@127.0.0.2", Password = "pw" });
        await Until(() => sip.Registration!.State == SipRegistrationState.Failing, time, TimeSpan.FromSeconds(33));
        Assert.Contains("no response", sip.Registration!.LastError, StringComparison.Ordinal);
        Assert.InRange(registrar.Exchanges.Count, 9, 12);
        Assert.Single(registrar.Exchanges.Select(e => e.Request.TopVia.Branch).Distinct());
        registrar.Silent = false;
        await Until(() => sip.Registration!.State == SipRegistrationState.Registered, time, TimeSpan.FromSeconds(31));
        Assert.Equal(0, sip.Registration!.FailuresInARow);
    });

    [Fact]
    public void A_stale_nonce_is_answered_again_and_423_raises_the_expiry_to_min_expires() => Run(async (registrar, start, time) =>
    {
        registrar.MinExpires = 900;
        registrar.NextStale = true;
        var sip = start(new SipRegistrationOptions { AddressOfRecord = "sip:1234@127.0.0.2", Password = "pw", Expires = TimeSpan.FromMinutes(5) });
        await Until(() => sip.Registration!.State == SipRegistrationState.Registered, time, TimeSpan.FromSeconds(5));
        Assert.Equal([423, 401, 401, 200], registrar.Exchanges.Select(e => e.Status));
        Assert.Equal("900", registrar.Exchanges[^1].Request.Headers.Get("Expires"));
        Assert.NotEqual(Credentials(registrar.Exchanges[2].Request, "Authorization").Nonce, Credentials(registrar.Exchanges[3].Request, "Authorization").Nonce);
        Assert.Equal(0, sip.Registration!.FailuresInARow);
    });

    [Fact]
    public void Options_name_what_is_wrong()
    {
        Assert.Empty(new SipRegistrationOptions { AddressOfRecord = "sip:1234@trunk.example.com:5080" }.Validate());
        Assert.Contains("UDP only", Assert.Single(new SipRegistrationOptions { AddressOfRecord = "sip:1@t.example.com;transport=tcp" }.Validate()), StringComparison.Ordinal);
        Assert.Contains("sip:user@host", Assert.Single(new SipRegistrationOptions { AddressOfRecord = "sip:trunk.example.com" }.Validate()), StringComparison.Ordinal);
        Assert.Contains("RetryMin", Assert.Single(new SipRegistrationOptions { AddressOfRecord = "sip:1@t", RetryMax = TimeSpan.FromSeconds(1) }.Validate()), StringComparison.Ordinal);
    }

    private static SipDigestCredentials Credentials(SipMessage request, string header)
    {
        Assert.True(SipDigestCredentials.TryParse(request.Headers.Get(header)!, out var credentials, out var error), error);
        return credentials!;
    }

    /// <summary>Lets virtual time run in 10 ms steps until <paramref name="condition"/> holds.</summary>
    private static async Task Until(Func<bool> condition, TimeProvider time, TimeSpan within)
    {
        var deadline = time.GetUtcNow() + within;
        while (!condition())
        {
            if (time.GetUtcNow() >= deadline)
            {
                throw new Xunit.Sdk.XunitException($"condition not met within {within.TotalSeconds} s");
            }

            await time.Elapse(TimeSpan.FromMilliseconds(10));
        }
    }

    private void Run(Func<FakeRegistrar, Func<SipRegistrationOptions, SipEndpoint>, FakeTimeProvider, Task> body)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(10), async () =>
        {
            await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), new CallSessionOptions(), time, loggers, leg: ReplayLeg.Sip);
            await using var registrar = new FakeRegistrar(env.Datagrams!, RegistrarAt);
            SipEndpoint? sip = null;
            try
            {
                await body(registrar, registration =>
                {
                    var options = new SipOptions { Listen = new IPEndPoint(IPAddress.Loopback, 5072), RtpPortMin = 31000, RtpPortMax = 31100, Registration = registration };
                    Assert.Empty(options.Validate(digestConfigured: false));
                    sip = env.Bridge.CreateSipEndpoint(options, env.Datagrams!);
                    sip.Start();
                    return sip;
                }, time);
            }
            finally
            {
                if (sip is not null)
                {
                    await sip.DisposeAsync();
                }
            }

            return 0;
        });
    }
}
