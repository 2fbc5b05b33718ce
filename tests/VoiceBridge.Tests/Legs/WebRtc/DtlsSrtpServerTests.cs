using System.Buffers.Binary;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Org.BouncyCastle.Tls;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>
/// Real DTLS handshakes between <see cref="DtlsSrtpServer"/> and a BouncyCastle client over in-memory queues.
/// The handshake is CPU work on two threads: each test bounds it with a 20 s cancellation, never a duration assert.
/// </summary>
public sealed class DtlsSrtpServerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly DtlsCertificate ServerCertificate = DtlsCertificate.CreateSelfSigned(Time);
    private static readonly DtlsCertificate ClientCertificate = DtlsCertificate.CreateSelfSigned(Time);

    [Fact]
    public async Task Handshake_gives_both_ends_the_same_srtp_keys_and_each_unprotects_the_other()
    {
        using var cts = new CancellationTokenSource(Bound);
        using Link link = new(ClientCertificate.Sha256Fingerprint, [SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80]);

        Task<DtlsSrtpKeys> serverKeys = link.Server.HandshakeAsync(cts.Token);
        DtlsTransport clientTransport = await link.ConnectClientAsync().WaitAsync(cts.Token);
        DtlsSrtpKeys keys = await serverKeys.WaitAsync(cts.Token);

        DtlsSrtpKeys clientKeys = DtlsSrtpKeys.FromKeyingMaterial(link.Client.KeyingMaterial!);
        Assert.Equal(clientKeys.ClientKey, keys.ClientKey);
        Assert.Equal(clientKeys.ServerKey, keys.ServerKey);
        Assert.Equal(clientKeys.ClientSalt, keys.ClientSalt);
        Assert.Equal(clientKeys.ServerSalt, keys.ServerSalt);
        Assert.NotEqual(keys.ClientKey, keys.ServerKey);
        Assert.Equal(ClientCertificate.Sha256Fingerprint, link.Server.RemoteFingerprint);
        Assert.Equal(ServerCertificate.Sha256Fingerprint, link.Client.ServerFingerprint);

        using (SrtpContext browserSend = clientKeys.ClientSend())
        using (SrtpContext ourReceive = keys.ClientReceive())
        {
            AssertCrosses(browserSend, ourReceive);
        }

        using (SrtpContext ourSend = keys.ServerSend())
        using (SrtpContext browserReceive = clientKeys.ServerReceive())
        {
            AssertCrosses(ourSend, browserReceive);
        }

        clientTransport.Close();
        await link.Server.Closed.WaitAsync(cts.Token);
        Assert.True(link.Server.RemoteClosed);
    }

    [Fact]
    public async Task A_client_certificate_other_than_the_offers_fingerprint_fails_the_handshake_saying_so()
    {
        using var cts = new CancellationTokenSource(Bound);
        using Link link = new(ServerCertificate.Sha256Fingerprint, [SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80]);

        Task<DtlsSrtpKeys> handshake = link.Server.HandshakeAsync(cts.Token);
        Task<DtlsTransport> client = link.ConnectClientAsync();

        var error = await Assert.ThrowsAsync<DtlsHandshakeException>(() => handshake.WaitAsync(cts.Token));
        Assert.Contains("fingerprint", error.Message, StringComparison.Ordinal);
        Assert.Contains(ClientCertificate.Sha256Fingerprint, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<IOException>(() => client.WaitAsync(cts.Token));
        Assert.Null(link.Client.KeyingMaterial);
    }

    [Theory]
    [InlineData(null, "did not offer use_srtp")]
    [InlineData(new[] { SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM }, "not SRTP_AES128_CM_HMAC_SHA1_80")]
    public async Task A_client_without_our_srtp_profile_fails_the_handshake_saying_so(int[]? profiles, string expected)
    {
        using var cts = new CancellationTokenSource(Bound);
        using Link link = new(null, profiles);

        Task<DtlsSrtpKeys> handshake = link.Server.HandshakeAsync(cts.Token);
        Task<DtlsTransport> client = link.ConnectClientAsync();

        var error = await Assert.ThrowsAsync<DtlsHandshakeException>(() => handshake.WaitAsync(cts.Token));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<IOException>(() => client.WaitAsync(cts.Token));
    }

    [Fact]
    public async Task Garbage_is_counted_and_dropped_and_the_handshake_still_completes()
    {
        using var cts = new CancellationTokenSource(Bound);
        using Link link = new(ClientCertificate.Sha256Fingerprint, [SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80]);
        int malformed = 0;
        Gen.Byte.Array[0, 3000].Sample(bytes =>
        {
            link.Server.OnDatagram(bytes);
            if (DtlsRecordCheck.Validate(bytes) is not null)
            {
                Interlocked.Increment(ref malformed);
            }
        }, iter: 300);
        byte[] wellFramedJunk = new byte[13 + 40];
        wellFramedJunk[0] = 22;
        wellFramedJunk[1] = 0xFE;
        wellFramedJunk[2] = 0xFD;
        BinaryPrimitives.WriteUInt16BigEndian(wellFramedJunk.AsSpan(11), 40);
        wellFramedJunk.AsSpan(13).Fill(0xA5);
        link.Server.OnDatagram(wellFramedJunk);

        Task<DtlsSrtpKeys> handshake = link.Server.HandshakeAsync(cts.Token);
        await link.ConnectClientAsync().WaitAsync(cts.Token);
        await handshake.WaitAsync(cts.Token);

        Assert.True(malformed > 0);
        Assert.Equal(malformed, link.Server.MalformedDatagrams);
    }

    [Fact]
    public async Task Cancelling_a_handshake_that_has_no_client_ends_it_as_cancelled()
    {
        using var cts = new CancellationTokenSource();
        using Link link = new(null, null);

        Task<DtlsSrtpKeys> handshake = link.Server.HandshakeAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handshake.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_handshake_that_never_starts_fails_after_the_handshake_timeout()
    {
        using var cts = new CancellationTokenSource(Bound);
        using var server = new DtlsSrtpServer(ServerCertificate, _ => { }, TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<DtlsHandshakeException>(() => server.HandshakeAsync(cts.Token).WaitAsync(cts.Token));

        Assert.Contains("no complete handshake within 0.3 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_may_be_started_once()
    {
        using var cts = new CancellationTokenSource(Bound);
        using Link link = new(null, null);
        Task<DtlsSrtpKeys> first = link.Server.HandshakeAsync(cts.Token);

        Assert.Throws<InvalidOperationException>(() => { _ = link.Server.HandshakeAsync(cts.Token); });
        link.Server.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.WaitAsync(cts.Token));
    }

    private static void AssertCrosses(SrtpContext sender, SrtpContext receiver)
    {
        byte[] packet = new byte[12 + 160 + SrtpContext.TagLength];
        packet[0] = 0x80;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x5EED);
        packet.AsSpan(12, 160).Fill(0x7F);
        byte[] plain = packet.AsSpan(0, 172).ToArray();

        int length = sender.ProtectRtp(packet, 172);

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, length, out int plainLength));
        Assert.Equal(plain, packet.AsSpan(0, plainLength).ToArray());
    }

    /// <summary>A server and a test client joined in memory: each side's sends land in the other's queue.</summary>
    private sealed class Link : IDisposable
    {
        private readonly DtlsDatagramQueue _clientSide;

        public Link(string? expectedClientFingerprint, int[]? clientProfiles)
        {
            DtlsDatagramQueue? clientSide = null;
            Server = new DtlsSrtpServer(
                ServerCertificate,
                bytes => clientSide!.Enqueue(bytes),
                TimeSpan.FromSeconds(15),
                expectedClientFingerprint);
            clientSide = new DtlsDatagramQueue(bytes => Server.OnDatagram(bytes));
            _clientSide = clientSide;
            Client = new DtlsTestClient(ClientCertificate, clientProfiles);
        }

        public DtlsSrtpServer Server { get; }

        public DtlsTestClient Client { get; }

        public Task<DtlsTransport> ConnectClientAsync() => Client.ConnectAsync(_clientSide);

        public void Dispose()
        {
            Server.Dispose();
            _clientSide.Close();
        }
    }
}
