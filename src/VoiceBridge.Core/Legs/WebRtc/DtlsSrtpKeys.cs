namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The SRTP master keys and salts a DTLS-SRTP handshake exports (RFC 5764 section 4.2): 60 bytes from the
/// exporter label <c>EXTRACTOR-dtls_srtp</c>, laid out client_write_key(16) | server_write_key(16) |
/// client_salt(14) | server_salt(14). Each side protects with its own write key: as the DTLS server we send
/// with <see cref="ServerSend"/> and receive with <see cref="ClientReceive"/>.
/// </summary>
public sealed record DtlsSrtpKeys(byte[] ClientKey, byte[] ServerKey, byte[] ClientSalt, byte[] ServerSalt)
{
    public const int KeyLength = 16;
    public const int SaltLength = 14;

    /// <summary>Bytes to ask the exporter for with SRTP_AES128_CM_HMAC_SHA1_80.</summary>
    public const int KeyingMaterialLength = (2 * KeyLength) + (2 * SaltLength);

    /// <summary>The exporter label RFC 5764 section 4.2 assigns.</summary>
    public const string ExporterLabel = "EXTRACTOR-dtls_srtp";

    /// <summary>Splits the 60 exported bytes into the four parts.</summary>
    /// <exception cref="ArgumentException">Not 60 bytes.</exception>
    public static DtlsSrtpKeys FromKeyingMaterial(ReadOnlySpan<byte> material)
    {
        if (material.Length != KeyingMaterialLength)
        {
            throw new ArgumentException($"DTLS-SRTP keying material is {KeyingMaterialLength} bytes, not {material.Length}", nameof(material));
        }

        return new DtlsSrtpKeys(
            material[..KeyLength].ToArray(),
            material[KeyLength..(2 * KeyLength)].ToArray(),
            material[(2 * KeyLength)..((2 * KeyLength) + SaltLength)].ToArray(),
            material[((2 * KeyLength) + SaltLength)..].ToArray());
    }

    /// <summary>Protects what the DTLS server sends (server write key and salt).</summary>
    public SrtpContext ServerSend() => new(ServerKey, ServerSalt);

    /// <summary>Unprotects what the DTLS client sent (client write key and salt): the server's receiving side.</summary>
    public SrtpContext ClientReceive() => new(ClientKey, ClientSalt);

    /// <summary>Protects what the DTLS client sends: the same keys as <see cref="ClientReceive"/>, for the client role.</summary>
    public SrtpContext ClientSend() => new(ClientKey, ClientSalt);

    /// <summary>Unprotects what the DTLS server sent: the same keys as <see cref="ServerSend"/>, for the client role.</summary>
    public SrtpContext ServerReceive() => new(ServerKey, ServerSalt);

    /// <summary>Keeps key bytes out of logs: the compiler's record ToString would print the members.</summary>
    public override string ToString() => "DtlsSrtpKeys { SRTP_AES128_CM_HMAC_SHA1_80 }";
}
