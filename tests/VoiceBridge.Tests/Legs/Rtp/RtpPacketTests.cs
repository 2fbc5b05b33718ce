using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Tests.Legs.Rtp;

public sealed class RtpPacketTests
{
    [Fact]
    public void Written_packet_parses_back_with_every_field()
    {
        byte[] payload = [.. Enumerable.Range(0, 160).Select(i => (byte)i)];
        var buffer = new byte[200];

        int length = RtpPacket.Write(buffer, payloadType: 8, marker: true, sequence: 0xFFFE, timestamp: 0xFFFFFF00, ssrc: 0xDEADBEEF, payload);

        Assert.Equal(172, length);
        Assert.Equal(RtpParseStatus.Ok, RtpPacket.TryParse(buffer.AsSpan(0, length), out RtpPacket packet));
        Assert.Equal(2, packet.Version);
        Assert.False(packet.Padding);
        Assert.False(packet.Extension);
        Assert.Equal(0, packet.CsrcCount);
        Assert.True(packet.Marker);
        Assert.Equal(8, packet.PayloadType);
        Assert.Equal(0xFFFE, packet.SequenceNumber);
        Assert.Equal(0xFFFFFF00u, packet.Timestamp);
        Assert.Equal(0xDEADBEEFu, packet.Ssrc);
        Assert.True(packet.Payload.SequenceEqual(payload));
    }

    [Fact]
    public void Header_bytes_match_rfc_3550_layout()
    {
        var buffer = new byte[14];

        RtpPacket.Write(buffer, payloadType: 0, marker: false, sequence: 0x1234, timestamp: 0x01020304, ssrc: 0xA0B0C0D0, [0x7F, 0xFF]);

        Assert.Equal([0x80, 0x00, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xA0, 0xB0, 0xC0, 0xD0, 0x7F, 0xFF], buffer);
    }

    [Fact]
    public void Parses_csrcs_extension_and_padding()
    {
        byte[] datagram =
        [
            0xB2, 0x80 | 101, 0x00, 0x07, 0x00, 0x00, 0x03, 0x20, 0x11, 0x22, 0x33, 0x44, // V=2 P=1 X=1 CC=2, M=1 PT=101
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // CSRCs
            0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00, // one-byte header extension, 1 word
            0x0B, 0x8A, 0x00, 0xA0, // DTMF payload
            0x00, 0x00, 0x03, // padding, count 3
        ];

        Assert.Equal(RtpParseStatus.Ok, RtpPacket.TryParse(datagram, out RtpPacket packet));

        Assert.True(packet.Padding);
        Assert.True(packet.Extension);
        Assert.Equal(2, packet.CsrcCount);
        Assert.Equal(1u, packet.GetCsrc(0));
        Assert.Equal(2u, packet.GetCsrc(1));
        Assert.Equal(0xBEDE, packet.ExtensionProfile);
        Assert.Equal([0x10, 0xAA, 0x00, 0x00], packet.ExtensionData.ToArray());
        Assert.True(packet.Marker);
        Assert.Equal(101, packet.PayloadType);
        Assert.Equal(7, packet.SequenceNumber);
        Assert.Equal(800u, packet.Timestamp);
        Assert.Equal([0x0B, 0x8A, 0x00, 0xA0], packet.Payload.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0 }, RtpParseStatus.TooShort)]
    [InlineData(new byte[] { }, RtpParseStatus.TooShort)]
    [InlineData(new byte[] { 0x40, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1 }, RtpParseStatus.BadVersion)]
    [InlineData(new byte[] { 0x83, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1 }, RtpParseStatus.CsrcOverflow)]
    [InlineData(new byte[] { 0x90, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE }, RtpParseStatus.BadExtension)]
    [InlineData(new byte[] { 0x90, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0xFF, 0xFF, 1, 2, 3, 4 }, RtpParseStatus.BadExtension)]
    [InlineData(new byte[] { 0xA0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0x05 }, RtpParseStatus.BadPadding)]
    [InlineData(new byte[] { 0xA0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0x00 }, RtpParseStatus.BadPadding)]
    public void Malformed_datagrams_give_a_status_not_an_exception(byte[] datagram, RtpParseStatus expected)
    {
        Assert.Equal(expected, RtpPacket.TryParse(datagram, out RtpPacket packet));
        Assert.Equal(0, packet.Payload.Length);
        Assert.NotEqual("ok", RtpPacket.Describe(expected));
    }

    [Fact]
    public void Padding_that_eats_the_whole_payload_leaves_it_empty()
    {
        byte[] datagram = [0xA0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4];

        Assert.Equal(RtpParseStatus.Ok, RtpPacket.TryParse(datagram, out RtpPacket packet));
        Assert.Equal(0, packet.Payload.Length);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(3550);
        var datagram = new byte[64];
        for (int i = 0; i < 20_000; i++)
        {
            Span<byte> slice = datagram.AsSpan(0, random.Next(datagram.Length + 1));
            random.NextBytes(slice);
            if (slice.Length > 0 && i % 2 == 0)
            {
                slice[0] = (byte)(0x80 | (slice[0] & 0x3F)); // half the cases version 2, to reach the deeper checks
            }

            RtpParseStatus status = RtpPacket.TryParse(slice, out RtpPacket packet);
            Assert.True(status == RtpParseStatus.Ok || packet.Payload.IsEmpty);
            Assert.True(packet.Payload.Length <= slice.Length);
        }
    }

    [Fact]
    public void Write_refuses_a_destination_too_small()
    {
        var buffer = new byte[20];

        Assert.Throws<ArgumentException>(() => RtpPacket.Write(buffer, 0, false, 1, 1, 1, new byte[160]));
    }

    [Theory]
    [InlineData(200, true)] // SR
    [InlineData(201, true)] // RR
    [InlineData(203, true)] // BYE
    [InlineData(0, false)] // PCMU
    [InlineData(0x80, false)] // PCMU with marker
    [InlineData(0x80 | 101, false)] // telephone-event with marker
    [InlineData(0x80 | 127, false)]
    public void Demux_tells_rtcp_from_rtp_by_the_second_byte(byte second, bool rtcp)
    {
        Assert.Equal(rtcp, RtpDemux.IsRtcp([0x80, second, 0x00, 0x01]));
    }

    [Fact]
    public void Demux_needs_version_2()
    {
        Assert.False(RtpDemux.IsRtcp([0x40, 200, 0, 1]));
        Assert.False(RtpDemux.IsRtcp([0x80]));
    }
}
