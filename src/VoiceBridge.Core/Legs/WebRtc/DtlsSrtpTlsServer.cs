using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The BouncyCastle server policy for a WebRTC DTLS-SRTP handshake: DTLS 1.2 only, ECDHE-ECDSA suites (our
/// certificate is P-256), a client certificate requested and pinned to the SDP fingerprint, <c>use_srtp</c> with
/// SRTP_AES128_CM_HMAC_SHA1_80 and no MKI, and the SRTP keys exported before BouncyCastle clears the master secret.
/// Its callbacks run on the DTLS thread; the results are read after the handshake ends.
/// </summary>
internal sealed class DtlsSrtpTlsServer : DefaultTlsServer
{
    private static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    private readonly DtlsCertificate _certificate;
    private readonly string? _expectedFingerprint;
    private readonly int _handshakeTimeoutMillis;
    private volatile bool _remoteClosed;

    public DtlsSrtpTlsServer(DtlsCertificate certificate, string? expectedFingerprint, TimeSpan handshakeTimeout)
        : base(new BcTlsCrypto(new SecureRandom()))
    {
        _certificate = certificate;
        _expectedFingerprint = expectedFingerprint;
        _handshakeTimeoutMillis = (int)Math.Clamp(handshakeTimeout.TotalMilliseconds, 1, int.MaxValue);
    }

    /// <summary>Set when the handshake completes.</summary>
    public DtlsSrtpKeys? Keys { get; private set; }

    public string? RemoteFingerprint { get; private set; }

    /// <summary>Why we refused the client, in words for the handshake's error; null when BouncyCastle itself failed.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>The last fatal alert the client sent, for the handshake's error.</summary>
    public string? AlertReceived { get; private set; }

    /// <summary>The client said close_notify, or the connection is closed: the post-handshake loop ends.</summary>
    public bool RemoteClosed => _remoteClosed;

    public override int GetHandshakeTimeoutMillis() => _handshakeTimeoutMillis;

    public override CertificateRequest GetCertificateRequest()
    {
        short[] types = [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign];
        return new CertificateRequest(types, TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);
    }

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            if (_expectedFingerprint is not null)
            {
                FailureReason = "the client sent no certificate, but the offer pinned one by a=fingerprint";
                throw new TlsFatalAlert(AlertDescription.handshake_failure, FailureReason);
            }

            return;
        }

        string actual = DtlsCertificate.Fingerprint(clientCertificate.GetCertificateAt(0).GetEncoded());
        RemoteFingerprint = actual;
        if (_expectedFingerprint is not null && !DtlsCertificate.FingerprintsMatch(actual, _expectedFingerprint))
        {
            FailureReason = $"the client's certificate has SHA-256 fingerprint {actual}, not the offer's a=fingerprint {_expectedFingerprint}";
            throw new TlsFatalAlert(AlertDescription.bad_certificate, FailureReason);
        }
    }

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        UseSrtpData? offered = clientExtensions is null ? null : TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (offered is null)
        {
            FailureReason = "the client did not offer use_srtp (RFC 5764): DTLS without SRTP keys is of no use here";
            throw new TlsFatalAlert(AlertDescription.handshake_failure, FailureReason);
        }

        if (Array.IndexOf(offered.ProtectionProfiles, SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80) < 0)
        {
            FailureReason = $"the client's use_srtp offers profiles [{string.Join(", ", offered.ProtectionProfiles)}], "
                + $"not SRTP_AES128_CM_HMAC_SHA1_80 ({SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80})";
            throw new TlsFatalAlert(AlertDescription.handshake_failure, FailureReason);
        }
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        IDictionary<int, byte[]> extensions = base.GetServerExtensions();
        TlsSrtpUtilities.AddUseSrtpExtension(
            extensions,
            new UseSrtpData([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        byte[] material = m_context.ExportKeyingMaterial(DtlsSrtpKeys.ExporterLabel, null, DtlsSrtpKeys.KeyingMaterialLength);
        Keys = DtlsSrtpKeys.FromKeyingMaterial(material);
        Array.Clear(material);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        if (alertDescription == AlertDescription.close_notify || alertLevel == AlertLevel.fatal)
        {
            _remoteClosed = true;
        }

        if (alertLevel == AlertLevel.fatal)
        {
            AlertReceived = AlertDescription.GetText(alertDescription);
        }
    }

    public override void NotifyConnectionClosed() => _remoteClosed = true;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, CipherSuites);

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() =>
        _certificate.CreateSigner(m_context, (BcTlsCrypto)Crypto);
}
