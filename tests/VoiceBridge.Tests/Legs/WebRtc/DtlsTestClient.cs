using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>
/// A DTLS 1.2 client on BouncyCastle's <see cref="DtlsClientProtocol"/>, standing in for a browser: it presents its
/// own self-signed certificate, offers <c>use_srtp</c> with the given profiles and exports the DTLS-SRTP keying
/// material. It talks to a <see cref="DtlsSrtpServer"/> through an in-memory queue on a thread of its own.
/// </summary>
internal sealed class DtlsTestClient : DefaultTlsClient
{
    private readonly DtlsCertificate _certificate;
    private readonly int[]? _srtpProfiles;

    public DtlsTestClient(DtlsCertificate certificate, int[]? srtpProfiles)
        : base(new BcTlsCrypto(new SecureRandom()))
    {
        _certificate = certificate;
        _srtpProfiles = srtpProfiles;
    }

    public byte[]? KeyingMaterial { get; private set; }

    public string? ServerFingerprint { get; private set; }

    /// <summary>Runs the handshake on a new thread over <paramref name="transport"/>; completes with the client's DTLS transport.</summary>
    public Task<DtlsTransport> ConnectAsync(DatagramTransport transport)
    {
        var done = new TaskCompletionSource<DtlsTransport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(new DtlsClientProtocol().Connect(this, transport));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "dtls-test-client" };
        thread.Start();
        return done.Task;
    }

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        IDictionary<int, byte[]> extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        if (_srtpProfiles is not null)
        {
            TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData(_srtpProfiles, TlsUtilities.EmptyBytes));
        }

        return extensions;
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        KeyingMaterial = m_context.ExportKeyingMaterial(DtlsSrtpKeys.ExporterLabel, null, DtlsSrtpKeys.KeyingMaterialLength);
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    private sealed class Authentication(DtlsTestClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            client.ServerFingerprint = DtlsCertificate.Fingerprint(serverCertificate.Certificate.GetCertificateAt(0).GetEncoded());

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            client._certificate.CreateSigner(client.m_context, (BcTlsCrypto)client.Crypto);
    }
}
