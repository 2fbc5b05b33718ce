namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The SRTP key derivation function of RFC 3711 section 4.3 with a key derivation rate of 0 (keys derived once,
/// as DTLS-SRTP uses it): the PRF input is the master salt XOR (label || 48 zero bits), shifted left 16 bits, run
/// through AES-CM under the master key.
/// </summary>
internal static class SrtpKeyDerivation
{
    public const byte RtpEncryption = 0x00;
    public const byte RtpAuthentication = 0x01;
    public const byte RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03;
    public const byte RtcpAuthentication = 0x04;
    public const byte RtcpSalt = 0x05;

    /// <summary>Fills <paramref name="output"/> with the session key material for <paramref name="label"/>.</summary>
    public static void Derive(ReadOnlySpan<byte> masterKey16, ReadOnlySpan<byte> masterSalt14, byte label, Span<byte> output)
    {
        if (masterSalt14.Length != 14)
        {
            throw new ArgumentException($"an SRTP master salt is 14 bytes, not {masterSalt14.Length}", nameof(masterSalt14));
        }

        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt14.CopyTo(iv);
        iv[7] ^= label;
        output.Clear();
        using var prf = new AesCounterMode(masterKey16);
        prf.Apply(iv, output);
    }
}
