using System.Net;
using System.Security.Cryptography;
using System.Text;
using VoiceBridge.Legs.WebRtc;
using static VoiceBridge.Tests.Legs.WebRtc.StunTestVectors;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>The parser, the integrity and fingerprint checks and the builder against RFC 5769's vectors.</summary>
public sealed class StunVectorTests
{
    private static readonly byte[] ShortTermKey = Encoding.ASCII.GetBytes(ShortTermPassword);

    [Fact]
    public void Crc32_matches_the_published_check_value()
    {
        Assert.Equal(0xCBF43926u, StunCrc32.Compute("123456789"u8));
    }

    [Fact]
    public void Sample_request_parses_and_checks()
    {
        Assert.Equal(108, SampleRequest.Length);
        StunMessage m = Parse(SampleRequest);

        Assert.Equal(StunClass.Request, m.Class);
        Assert.Equal(Stun.BindingMethod, m.Method);
        Assert.Equal(SampleTransactionId, m.TransactionId.ToArray());
        Assert.Equal("evtj:h6vY", m.Username);
        Assert.Equal(0x6E0001FFu, m.Priority);
        Assert.Equal(0x932FF9B151263B36ul, m.IceControlled);
        Assert.Null(m.IceControlling);
        Assert.False(m.UseCandidate);
        Assert.Equal(SampleRequest.Length - 32, m.MessageIntegrityOffset);
        Assert.True(m.HasFingerprint);
        Assert.True(m.FingerprintValid);
        Assert.True(StunParser.VerifyFingerprint(SampleRequest, m));
        Assert.True(StunParser.VerifyIntegrity(SampleRequest, m, ShortTermKey));
        Assert.False(StunParser.VerifyIntegrity(SampleRequest, m, "VOkJxbRl1RmTxUk/WvJxBu"u8));
        Assert.True(m.UnknownRequiredAttributes.IsEmpty);
    }

    [Theory]
    [InlineData(false, "192.0.2.1")]
    [InlineData(true, "2001:db8:1234:5678:11:2233:4455:6677")]
    public void Sample_responses_parse_check_and_decode_their_address(bool ipv6, string address)
    {
        byte[] vector = ipv6 ? SampleIPv6Response : SampleIPv4Response;
        StunMessage m = Parse(vector);

        Assert.Equal(StunClass.SuccessResponse, m.Class);
        Assert.Equal(Stun.BindingMethod, m.Method);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), 32853), m.XorMappedAddress);
        Assert.True(m.FingerprintValid);
        Assert.True(StunParser.VerifyIntegrity(vector, m, ShortTermKey));
        Assert.False(StunParser.VerifyIntegrity(vector, m, "wrong password"u8));
    }

    [Fact]
    public void Long_term_request_checks_under_the_md5_key()
    {
        StunMessage m = Parse(SampleLongTermRequest);

        Assert.Equal("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9", m.Username);
        Assert.False(m.HasFingerprint);
        Assert.False(StunParser.VerifyFingerprint(SampleLongTermRequest, m));
        Assert.True(StunParser.VerifyIntegrity(SampleLongTermRequest, m, LongTermKey(m.Username!, "TheMatrIX")));
        Assert.False(StunParser.VerifyIntegrity(SampleLongTermRequest, m, LongTermKey(m.Username!, "TheMatrix")));
    }

    [Fact]
    public void A_changed_byte_breaks_fingerprint_and_integrity()
    {
        byte[] tampered = (byte[])SampleRequest.Clone();
        tampered[30] ^= 0x01; // inside SOFTWARE

        StunMessage m = Parse(tampered);

        Assert.False(m.FingerprintValid);
        Assert.False(StunParser.VerifyFingerprint(tampered, m));
        Assert.False(StunParser.VerifyIntegrity(tampered, m, ShortTermKey));
    }

    /// <summary>The RFC pads with spaces where zero is usual; the builder takes the padding byte, so it can write the RFC's bytes exactly.</summary>
    [Fact]
    public void Builder_reproduces_the_sample_request()
    {
        var buffer = new byte[200];
        var builder = new StunBuilder(buffer, Stun.MessageType(Stun.BindingMethod, StunClass.Request), SampleTransactionId);
        builder.AddText(Stun.Software, "STUN test client");
        builder.AddUInt32(Stun.Priority, 0x6E0001FF);
        builder.AddUInt64(Stun.IceControlled, 0x932FF9B151263B36);
        builder.AddText(Stun.Username, "evtj:h6vY", padding: 0x20);
        builder.AddMessageIntegrity(ShortTermKey);
        builder.AddFingerprint();

        Assert.Equal(Convert.ToHexString(SampleRequest), Convert.ToHexString(buffer, 0, builder.Length));
    }

    [Theory]
    [InlineData(false, "192.0.2.1")]
    [InlineData(true, "2001:db8:1234:5678:11:2233:4455:6677")]
    public void Builder_reproduces_the_sample_responses(bool ipv6, string address)
    {
        var buffer = new byte[200];
        var builder = new StunBuilder(buffer, Stun.MessageType(Stun.BindingMethod, StunClass.SuccessResponse), SampleTransactionId);
        builder.AddText(Stun.Software, "test vector", padding: 0x20);
        builder.AddXorAddress(Stun.XorMappedAddress, new IPEndPoint(IPAddress.Parse(address), 32853));
        builder.AddMessageIntegrity(ShortTermKey);
        builder.AddFingerprint();

        Assert.Equal(Convert.ToHexString(ipv6 ? SampleIPv6Response : SampleIPv4Response), Convert.ToHexString(buffer, 0, builder.Length));
    }

    /// <summary>
    /// WriteBindingSuccess writes no SOFTWARE, so its MESSAGE-INTEGRITY differs from 2.2's; it is
    /// the 2.2 message minus SOFTWARE, checked here byte for byte against an independent HMAC and
    /// CRC over the RFC's own XOR-MAPPED-ADDRESS bytes.
    /// </summary>
    [Fact]
    public void Binding_success_for_the_sample_inputs_is_the_sample_without_software()
    {
        var buffer = new byte[StunWriter.MaxBindingResponseLength];
        int length = StunWriter.WriteBindingSuccess(buffer, SampleTransactionId, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), ShortTermKey);

        byte[] expected = [.. Hex("01 01 00 0c 21 12 a4 42"), .. SampleTransactionId, .. SampleIPv4Response.AsSpan(36, 12)];
        expected = AppendIntegrityAndFingerprint(expected, ShortTermKey);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(buffer, 0, length));

        StunMessage m = Parse(buffer.AsSpan(0, length).ToArray());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), m.XorMappedAddress);
        Assert.True(m.FingerprintValid);
        Assert.True(StunParser.VerifyIntegrity(buffer.AsSpan(0, length), m, ShortTermKey));
    }

    /// <summary>Appends MESSAGE-INTEGRITY and FINGERPRINT the long way (RFC 8489 sections 14.5 and 14.7), independent of StunBuilder.</summary>
    internal static byte[] AppendIntegrityAndFingerprint(byte[] message, ReadOnlySpan<byte> key)
    {
        var withIntegrity = new byte[message.Length + 24];
        message.CopyTo(withIntegrity, 0);
        SetLength(withIntegrity, withIntegrity.Length - 20);
        withIntegrity[message.Length] = 0x00;
        withIntegrity[message.Length + 1] = 0x08;
        withIntegrity[message.Length + 3] = 20;
        HMACSHA1.HashData(key, withIntegrity.AsSpan(0, message.Length), withIntegrity.AsSpan(message.Length + 4));

        var done = new byte[withIntegrity.Length + 8];
        withIntegrity.CopyTo(done, 0);
        SetLength(done, done.Length - 20);
        done[withIntegrity.Length] = 0x80;
        done[withIntegrity.Length + 1] = 0x28;
        done[withIntegrity.Length + 3] = 4;
        uint crc = StunCrc32.Compute(done.AsSpan(0, withIntegrity.Length)) ^ 0x5354554E;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(done.AsSpan(withIntegrity.Length + 4), crc);
        return done;
    }

    private static void SetLength(byte[] message, int length)
    {
        message[2] = (byte)(length >> 8);
        message[3] = (byte)length;
    }

    private static byte[] LongTermKey(string username, string password) =>
        MD5.HashData(Encoding.UTF8.GetBytes($"{username}:example.org:{password}"));

    private static StunMessage Parse(byte[] datagram)
    {
        StunParseStatus status = StunParser.TryParse(datagram, out StunMessage? m, out string? error);
        Assert.True(status == StunParseStatus.Ok, $"{status}: {error}");
        return m!;
    }
}
