using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Org.BouncyCastle.X509;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The self-signed ECDSA P-256 certificate a DTLS endpoint presents in WebRTC. Nobody checks its chain: the peer
/// trusts it because its SHA-256 fingerprint travelled in the signalled SDP (<c>a=fingerprint:sha-256</c>).
/// P-256 with SHA-256 is what browsers generate for themselves and accept everywhere. Immutable and thread-safe:
/// one certificate can serve every call until <see cref="NotAfter"/>.
/// </summary>
public sealed class DtlsCertificate
{
    /// <summary>Browsers ignore validity for fingerprint-pinned certificates; a month bounds what a leaked key is good for.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    private readonly byte[] _der;

    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey, DateTimeOffset notAfter)
    {
        _der = der;
        PrivateKey = privateKey;
        NotAfter = notAfter;
        Sha256Fingerprint = Fingerprint(der);
    }

    /// <summary>Upper-case colon-separated hex of the DER's SHA-256, as <c>a=fingerprint:sha-256</c> carries it.</summary>
    public string Sha256Fingerprint { get; }

    /// <summary>When to stop handing this certificate to new calls.</summary>
    public DateTimeOffset NotAfter { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>A fresh P-256 key and certificate valid from a day before now (clock skew) for <see cref="Lifetime"/>.</summary>
    public static DtlsCertificate CreateSelfSigned(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var random = new SecureRandom();
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        AsymmetricCipherKeyPair pair = generator.GenerateKeyPair();

        DateTimeOffset now = time.GetUtcNow();
        var name = new X509Name("CN=VoiceBridge");
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(new BigInteger(63, random).Add(BigInteger.One));
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        builder.SetNotBefore(now.AddDays(-1).UtcDateTime);
        builder.SetNotAfter((now + Lifetime).UtcDateTime);
        builder.SetPublicKey(pair.Public);
        X509Certificate certificate = builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", pair.Private, random));
        return new DtlsCertificate(certificate.GetEncoded(), pair.Private, now + Lifetime);
    }

    /// <summary>The SDP form of a DER certificate's SHA-256: "AB:CD:...".</summary>
    public static string Fingerprint(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(der, hash);
        return string.Join(':', Convert.ToHexString(hash).Chunk(2).Select(pair => new string(pair)));
    }

    /// <summary>Whether two SDP fingerprints name the same hash: hex digits compared without regard to case.</summary>
    public static bool FingerprintsMatch(string a, string b) =>
        string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>The credentials BouncyCastle signs the handshake with (ECDSA with SHA-256) for one connection.</summary>
    internal TlsCredentialedSigner CreateSigner(TlsContext context, BcTlsCrypto crypto)
    {
        var chain = new Certificate([crypto.CreateCertificate(_der)]);
        var algorithm = new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, PrivateKey, chain, algorithm);
    }
}
