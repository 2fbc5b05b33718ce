using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>
/// Known-answer tests: RFC 3711 appendix B.2 (AES-CM keystream) and B.3 (key derivation), and the reference
/// packets libsrtp's own driver checks for AES_CM_128_HMAC_SHA1_80 under the B.3 master key (SSRC 0xCAFEBABE).
/// </summary>
public sealed class SrtpVectorTests
{
    private static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void Aes_cm_keystream_matches_rfc_3711_b2_at_both_ends_of_the_segment()
    {
        using var cipher = new AesCounterMode(Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[1044512];

        cipher.Apply(Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), keystream);

        Assert.Equal(
            "E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0",
            Convert.ToHexString(keystream.AsSpan(0, 48)));
        Assert.Equal(
            "EC8CDF7398607CB0F2D21675EA9EA1E4362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44",
            Convert.ToHexString(keystream.AsSpan(keystream.Length - 48)));
    }

    [Fact]
    public void Iv_from_the_b2_salt_with_zero_ssrc_and_index_is_the_b2_offset()
    {
        var iv = new byte[16];

        SrtpContext.BuildIv(Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), 0, 0, iv);

        Assert.Equal("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", Convert.ToHexString(iv));
    }

    [Fact]
    public void Iv_mixes_ssrc_and_index_into_the_salt()
    {
        var iv = new byte[16];

        SrtpContext.BuildIv(Convert.FromHexString("30CBBC08863D8C85D49DB34A9AE1"), 0xCAFEBABE, 0x1234, iv);

        Assert.Equal("30CBBC084CC3363BD49DB34A88D50000", Convert.ToHexString(iv));
    }

    [Theory]
    [InlineData(SrtpKeyDerivation.RtpEncryption, 16, "C61E7A93744F39EE10734AFE3FF7A087")]
    [InlineData(SrtpKeyDerivation.RtpSalt, 14, "30CBBC08863D8C85D49DB34A9AE1")]
    [InlineData(
        SrtpKeyDerivation.RtpAuthentication,
        94,
        "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCEE049646C43D9327AD175578EF7227098"
        + "6371C10C9A369AC2F94A8C5FBCDDDC256D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2")]
    public void Key_derivation_matches_rfc_3711_b3(byte label, int length, string expected)
    {
        var output = new byte[length];

        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, label, output);

        Assert.Equal(expected, Convert.ToHexString(output));
    }

    [Fact]
    public void Rtp_protect_matches_the_libsrtp_reference_packet_and_unprotects_back()
    {
        const string plain = "800F1234DECAFBADCAFEBABEABABABABABABABABABABABABABABABAB";
        byte[] packet = new byte[38];
        Convert.FromHexString(plain).CopyTo(packet, 0);
        using var sender = new SrtpContext(MasterKey, MasterSalt);
        using var receiver = new SrtpContext(MasterKey, MasterSalt);

        int length = sender.ProtectRtp(packet, 28);

        Assert.Equal(38, length);
        Assert.Equal("800F1234DECAFBADCAFEBABE4E55DC4CE79978D88CA4D215949D2402B78D6ACC99EA179B8DBB", Convert.ToHexString(packet));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, length, out int plainLength));
        Assert.Equal(plain, Convert.ToHexString(packet.AsSpan(0, plainLength)));
    }

    [Fact]
    public void Srtcp_reference_packet_from_libsrtp_unprotects()
    {
        byte[] packet = Convert.FromHexString(
            "81C8000BCAFEBABE7128035BE487B9BDBEF89041F977A5A880000001993E08CD54D6C1230798");
        using var receiver = new SrtpContext(MasterKey, MasterSalt);

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(packet, packet.Length, out int plainLength));

        Assert.Equal("81C8000BCAFEBABEABABABABABABABABABABABABABABABAB", Convert.ToHexString(packet.AsSpan(0, plainLength)));
    }
}
