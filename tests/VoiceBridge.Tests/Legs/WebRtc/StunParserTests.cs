using System.Buffers.Binary;
using System.Net;
using VoiceBridge.Legs.WebRtc;
using static VoiceBridge.Tests.Legs.WebRtc.StunTestVectors;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>What the parser refuses and why, and the message-type encoding.</summary>
public sealed class StunParserTests
{
    [Theory]
    [InlineData(Stun.BindingMethod, StunClass.Request, 0x0001)]
    [InlineData(Stun.BindingMethod, StunClass.Indication, 0x0011)]
    [InlineData(Stun.BindingMethod, StunClass.SuccessResponse, 0x0101)]
    [InlineData(Stun.BindingMethod, StunClass.ErrorResponse, 0x0111)]
    [InlineData(0x003, StunClass.Request, 0x0003)] // TURN Allocate
    [InlineData(0x080, StunClass.Request, 0x0200)] // GOOG-PING
    [InlineData(0xFFF, StunClass.ErrorResponse, 0x3FFF)]
    public void Message_type_interleaves_method_and_class(ushort method, StunClass stunClass, int type)
    {
        Assert.Equal((ushort)type, Stun.MessageType(method, stunClass));
        Assert.Equal(method, Stun.MethodOf((ushort)type));
        Assert.Equal(stunClass, Stun.ClassOf((ushort)type));
    }

    [Fact]
    public void Rejects_a_short_datagram()
    {
        AssertRejected(SampleRequest[..19], StunParseStatus.TooShort, "20-byte");
        AssertRejected([], StunParseStatus.TooShort, "0 bytes");
    }

    [Fact]
    public void Rejects_a_huge_datagram()
    {
        var huge = new byte[StunParser.MaxMessageLength + 4];
        SampleRequest.AsSpan(0, 20).CopyTo(huge);
        BinaryPrimitives.WriteUInt16BigEndian(huge.AsSpan(2), (ushort)(huge.Length - 20));
        AssertRejected(huge, StunParseStatus.TooLarge, "longer than the 1500");
    }

    [Fact]
    public void Rejects_other_protocols_and_old_stun()
    {
        byte[] rtp = (byte[])SampleRequest.Clone();
        rtp[0] = 0x80;
        AssertRejected(rtp, StunParseStatus.NotStun, "leading bits");

        byte[] rfc3489 = (byte[])SampleRequest.Clone();
        rfc3489[4] = 0x00;
        AssertRejected(rfc3489, StunParseStatus.BadMagicCookie, "magic cookie");
    }

    [Fact]
    public void Rejects_a_length_that_disagrees_with_the_datagram()
    {
        byte[] longer = (byte[])SampleRequest.Clone();
        longer[3] = 0x5C;
        AssertRejected(longer, StunParseStatus.BadLength, "88 bytes after the header");

        byte[] odd = (byte[])SampleRequest.Clone();
        odd[3] = 0x57;
        AssertRejected(odd, StunParseStatus.BadLength, "multiple of 4");

        AssertRejected([.. SampleRequest, 0, 0, 0, 0], StunParseStatus.BadLength, "92 bytes");
    }

    [Fact]
    public void Rejects_an_attribute_past_the_end()
    {
        byte[] bytes = (byte[])SampleRequest.Clone();
        bytes[23] = 0x60; // SOFTWARE claims 96 bytes
        AssertRejected(bytes, StunParseStatus.TruncatedAttribute, "attribute 0x8022 at offset 20 declares 96 bytes");
    }

    [Theory]
    [InlineData(Stun.Priority, 5, "PRIORITY is 5 bytes, not 4")]
    [InlineData(Stun.IceControlling, 4, "ICE-CONTROLLING is 4 bytes, not 8")]
    [InlineData(Stun.UseCandidate, 4, "USE-CANDIDATE carries 4 bytes")]
    [InlineData(Stun.MessageIntegrity, 16, "MESSAGE-INTEGRITY is 16 bytes, not 20")]
    [InlineData(Stun.Fingerprint, 8, "FINGERPRINT is 8 bytes, not 4")]
    [InlineData(Stun.XorMappedAddress, 12, "XOR-MAPPED-ADDRESS has family 0")]
    [InlineData(Stun.ErrorCode, 2, "ERROR-CODE is 2 bytes")]
    [InlineData(Stun.Username, 509, "USERNAME is 509 bytes")]
    public void Rejects_a_known_attribute_of_the_wrong_size(ushort type, int length, string error)
    {
        AssertRejected(Message(0x0001, (type, new byte[length])), StunParseStatus.BadAttribute, error);
    }

    [Fact]
    public void Rejects_an_error_code_out_of_range()
    {
        AssertRejected(Message(0x0111, (Stun.ErrorCode, [0, 0, 7, 0])), StunParseStatus.BadAttribute, "class 7");
        AssertRejected(Message(0x0111, (Stun.ErrorCode, [0, 0, 4, 100])), StunParseStatus.BadAttribute, "number 100");
    }

    [Fact]
    public void Rejects_anything_after_fingerprint()
    {
        AssertRejected(Message(0x0001, (Stun.Fingerprint, new byte[4]), (Stun.Priority, new byte[4])), StunParseStatus.AttributeAfterFingerprint, "follows FINGERPRINT");
    }

    [Fact]
    public void Rejects_too_many_attributes()
    {
        var attributes = Enumerable.Repeat((Stun.Software, Array.Empty<byte>()), StunParser.MaxAttributes + 1).ToArray();
        AssertRejected(Message(0x0001, attributes), StunParseStatus.TooManyAttributes, "more than 32");
        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(Message(0x0001, attributes[1..]), out _, out _));
    }

    [Fact]
    public void Reads_an_error_response_and_unknown_attributes()
    {
        byte[] bytes = Message(0x0111, (Stun.ErrorCode, [0, 0, 4, 20, .. "Unknown Attribute"u8]), (0x0042, [1, 2]), (0x7FFF, []), (0xC057, [0, 1, 0, 2]), (0x0042, []));

        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(bytes, out StunMessage? m, out string? error));
        Assert.Null(error);
        Assert.Equal(StunClass.ErrorResponse, m!.Class);
        Assert.Equal(420, m.ErrorCode);
        Assert.Equal("Unknown Attribute", m.ErrorReason);
        Assert.Equal([0x0042, 0x7FFF], m.UnknownRequiredAttributes.ToArray());
        Assert.False(m.HasFingerprint);
    }

    [Fact]
    public void Keeps_the_first_of_repeated_attributes_and_ignores_what_follows_integrity()
    {
        byte[] bytes = Message(
            0x0001,
            (Stun.Username, "a:b"u8.ToArray()),
            (Stun.Priority, [0, 0, 0, 1]),
            (Stun.Username, "c:d"u8.ToArray()),
            (Stun.Priority, [0, 0, 0, 2]),
            (Stun.MessageIntegrity, new byte[20]),
            (Stun.UseCandidate, []),
            (0x0042, []));

        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(bytes, out StunMessage? m, out _));
        Assert.Equal("a:b", m!.Username);
        Assert.Equal(1u, m.Priority);
        Assert.False(m.UseCandidate);
        Assert.True(m.UnknownRequiredAttributes.IsEmpty);
        Assert.Equal(20 + 8 + 8 + 8 + 8, m.MessageIntegrityOffset);
    }

    [Fact]
    public void Verification_is_false_for_a_message_without_the_attribute()
    {
        byte[] bytes = Message(0x0001, (Stun.Username, "a:b"u8.ToArray()));
        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(bytes, out StunMessage? m, out _));
        Assert.False(StunParser.VerifyIntegrity(bytes, m!, "key"u8));
        Assert.False(StunParser.VerifyFingerprint(bytes, m!));
    }

    [Fact]
    public void Reparsing_into_one_message_forgets_the_previous_one()
    {
        var m = new StunMessage();
        Assert.Equal(StunParseStatus.Ok, StunParser.Parse(SampleRequest, m, out _));
        Assert.Equal(StunParseStatus.Ok, StunParser.Parse(SampleIPv4Response, m, out _));

        Assert.Null(m.Username);
        Assert.Null(m.Priority);
        Assert.Null(m.IceControlled);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), m.XorMappedAddress);
    }

    [Fact]
    public void Writer_error_response_round_trips()
    {
        var buffer = new byte[StunWriter.MaxBindingResponseLength];
        int length = StunWriter.WriteBindingError(buffer, SampleTransactionId, 420, "Unknown Attribute", "pw"u8, [0x0042, 0x0043, 0x0044]);

        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(buffer.AsSpan(0, length), out StunMessage? m, out _));
        Assert.Equal(StunClass.ErrorResponse, m!.Class);
        Assert.Equal(420, m.ErrorCode);
        Assert.Equal("Unknown Attribute", m.ErrorReason);
        Assert.True(m.FingerprintValid);
        Assert.True(StunParser.VerifyIntegrity(buffer.AsSpan(0, length), m, "pw"u8));
        Assert.Equal(0, length % 4);
    }

    [Fact]
    public void Writer_refuses_a_buffer_too_small_and_a_bad_transaction_id()
    {
        Assert.Throws<ArgumentException>(() => StunWriter.WriteBindingSuccess(new byte[40], SampleTransactionId, new IPEndPoint(IPAddress.Loopback, 1), "pw"u8));
        Assert.Throws<ArgumentException>(() => StunWriter.WriteBindingSuccess(new byte[100], new byte[11], new IPEndPoint(IPAddress.Loopback, 1), "pw"u8));
    }

    [Fact]
    public void Ipv4_mapped_address_is_written_as_ipv4()
    {
        var buffer = new byte[StunWriter.MaxBindingResponseLength];
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.7"), 50000);
        int length = StunWriter.WriteBindingSuccess(buffer, SampleTransactionId, mapped, "pw"u8);

        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(buffer.AsSpan(0, length), out StunMessage? m, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 50000), m!.XorMappedAddress);
    }

    /// <summary>A message of <paramref name="type"/> with the sample transaction id and the given attributes, zero-padded.</summary>
    internal static byte[] Message(ushort type, params (ushort Type, byte[] Value)[] attributes)
    {
        var bytes = new List<byte>();
        bytes.AddRange([(byte)(type >> 8), (byte)type, 0, 0, 0x21, 0x12, 0xA4, 0x42, .. SampleTransactionId]);
        foreach ((ushort t, byte[] value) in attributes)
        {
            bytes.AddRange([(byte)(t >> 8), (byte)t, (byte)(value.Length >> 8), (byte)value.Length, .. value]);
            bytes.AddRange(new byte[((value.Length + 3) & ~3) - value.Length]);
        }

        byte[] result = [.. bytes];
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(2), (ushort)(result.Length - 20));
        return result;
    }

    private static void AssertRejected(byte[] datagram, StunParseStatus expected, string errorPart)
    {
        StunParseStatus status = StunParser.TryParse(datagram, out StunMessage? m, out string? error);
        Assert.Equal(expected, status);
        Assert.Null(m);
        Assert.NotNull(error);
        Assert.Contains(errorPart, error, StringComparison.Ordinal);
    }
}
