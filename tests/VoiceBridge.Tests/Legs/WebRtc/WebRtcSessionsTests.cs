using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>The session table on the fake clock: set-up that never completes, capacity, unknown ids, the answer's candidate, bad input.</summary>
public sealed class WebRtcSessionsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_session_the_browser_never_nominates_ends_after_the_setup_timeout_and_frees_its_slot()
    {
        await using var sessions = Create(new WebRtcOptions());
        WebRtcOffer offer = Offer();

        WhipSessionResult result = await sessions.CreateAsync(offer, CancellationToken.None);
        WebRtcSession session = sessions.Find(result.Id)!;
        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.Null(session.EndReason);
        _time.Advance(TimeSpan.FromSeconds(2));
        await session.Completion.WaitAsync(Bound);

        Assert.Equal("no ICE nomination within 15 s", session.EndReason);
        Assert.Equal(0, sessions.Count);
        Assert.Null(session.Leg);
    }

    [Fact]
    public async Task The_answer_advertises_the_sessions_port_and_the_nodes_fingerprint()
    {
        var certificate = DtlsCertificate.CreateSelfSigned(_time);
        await using var sessions = Create(new WebRtcOptions { Codec = WebRtcCodecPreference.Pcmu }, certificate);

        WhipSessionResult result = await sessions.CreateAsync(Offer(), CancellationToken.None);
        WebRtcSession session = sessions.Find(result.Id)!;

        Assert.Contains($"a=candidate:1 1 udp {WebRtcAnswerBuilder.HostPriority} 127.0.0.1 {session.Port} typ host", result.AnswerSdp, StringComparison.Ordinal);
        Assert.Contains("a=fingerprint:sha-256 " + certificate.Sha256Fingerprint.ToUpperInvariant(), result.AnswerSdp, StringComparison.Ordinal);
        Assert.Equal(WebRtcAudioCodec.Pcmu, session.Codec);
    }

    [Fact]
    public async Task Offers_beyond_the_session_limit_are_refused_and_delete_ends_a_session()
    {
        await using var sessions = Create(new WebRtcOptions { MaxSessions = 1 });
        WhipSessionResult first = await sessions.CreateAsync(Offer(), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<WhipUnavailableException>(() => sessions.CreateAsync(Offer(), CancellationToken.None));
        Assert.Contains("1 browser sessions", refused.Message, StringComparison.Ordinal);
        Assert.False(await sessions.DeleteAsync("no-such-session", CancellationToken.None));
        Assert.True(await sessions.DeleteAsync(first.Id, CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(0, sessions.Count);
    }

    [Fact]
    public async Task Dtls_from_an_address_that_passed_no_ice_check_srtp_before_keys_and_stray_bytes_are_dropped_and_counted()
    {
        var network = new InMemoryDatagramNetwork();
        await using var sessions = Create(new WebRtcOptions(), network: network);
        WhipSessionResult result = await sessions.CreateAsync(Offer(), CancellationToken.None);
        WebRtcSession session = sessions.Find(result.Id)!;
        await using var stranger = network.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new IPEndPoint(IPAddress.Loopback, session.Port);

        stranger.Send([22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0], target);   // a DTLS record, no ICE check first
        stranger.Send([0x80, 0x00, 0x00, 0x01, .. new byte[168]], target);      // SRTP before any keys
        stranger.Send([200, 1, 2, 3], target);                                   // none of STUN, DTLS, RTP (RFC 7983)
        stranger.Send([0, 1, 0, 8, 0x21, 0x12], target);                          // a truncated STUN header

        // The session's receive loop runs on the thread pool here: wait (bounded) until it has read all four.
        Assert.True(
            SpinWait.SpinUntil(() => session.DroppedDatagrams + session.Ice.Malformed >= 4, Bound),
            $"the session read {session.DroppedDatagrams} dropped and {session.Ice.Malformed} malformed STUN datagrams of 4");
        Assert.Equal((3L, 1L), (session.DroppedDatagrams, session.Ice.Malformed));
        Assert.Null(session.EndReason);
    }

    [Fact]
    public void Options_name_what_is_wrong()
    {
        var options = new WebRtcOptions { BindAddress = System.Net.IPAddress.Any, PortMin = 80, PortMax = 90, MaxSessions = 0 };

        IReadOnlyList<string> errors = options.Validate();

        Assert.Contains(errors, e => e.Contains("AdvertisedAddress", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Ports 80-90", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxSessions", StringComparison.Ordinal));
    }

    private WebRtcSessions Create(WebRtcOptions options, DtlsCertificate? certificate = null, IDatagramNetwork? network = null) => new(
        options,
        network ?? new InMemoryDatagramNetwork(),
        certificate ?? DtlsCertificate.CreateSelfSigned(_time),
        (_, _) => throw new InvalidOperationException("no call starts without DTLS"),
        new CallRegistry(),
        _time,
        NullLoggerFactory.Instance);

    private static WebRtcOffer Offer()
    {
        Assert.True(WebRtcOffer.TryParse(WebRtcTestOffers.Chromium, out WebRtcOffer? offer, out WebRtcOfferError? error), error?.Message);
        return offer!;
    }
}
