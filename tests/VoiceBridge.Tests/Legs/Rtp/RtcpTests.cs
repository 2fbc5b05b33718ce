using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Tests.Legs.Rtp;

public sealed class RtcpTests
{
    private static readonly RtcpReportBlock Block = new(0xAABBCCDD, 0x40, -1, 0x0001_0005, 3, 0x0B0C0D0E, 0x0001_0000);

    private static readonly byte[] SdesAb =
    [
        0x81, 0xCA, 0x00, 0x03, // V=2 SC=1 SDES, 4 words
        0x01, 0x02, 0x03, 0x04,
        0x01, 0x02, 0x61, 0x62, // CNAME "ab"
        0x00, 0x00, 0x00, 0x00, // end of items, padding
    ];

    private static readonly byte[] BlockBytes =
    [
        0xAA, 0xBB, 0xCC, 0xDD,
        0x40, 0xFF, 0xFF, 0xFF, // fraction 64/256, cumulative -1
        0x00, 0x01, 0x00, 0x05,
        0x00, 0x00, 0x00, 0x03,
        0x0B, 0x0C, 0x0D, 0x0E,
        0x00, 0x01, 0x00, 0x00,
    ];

    [Fact]
    public void Sender_report_matches_hand_computed_bytes()
    {
        var buffer = new byte[512];

        int length = RtcpWriter.WriteSenderReport(buffer, 0x01020304, 0x0A0B0C0D_0E0F1011, 0x11223344, 5, 800, [Block], "ab");

        byte[] expected =
        [
            0x81, 0xC8, 0x00, 0x0C, // V=2 RC=1 SR, 13 words
            0x01, 0x02, 0x03, 0x04,
            0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11,
            0x11, 0x22, 0x33, 0x44,
            0x00, 0x00, 0x00, 0x05,
            0x00, 0x00, 0x03, 0x20,
            .. BlockBytes,
            .. SdesAb,
        ];
        Assert.Equal(expected, buffer[..length]);
    }

    [Fact]
    public void Receiver_report_matches_hand_computed_bytes()
    {
        var buffer = new byte[512];

        int length = RtcpWriter.WriteReceiverReport(buffer, 0x01020304, [Block], "ab");

        byte[] expected = [0x81, 0xC9, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04, .. BlockBytes, .. SdesAb];
        Assert.Equal(expected, buffer[..length]);
    }

    [Fact]
    public void Bye_follows_an_empty_receiver_report_and_sdes()
    {
        var buffer = new byte[512];

        int length = RtcpWriter.WriteBye(buffer, 0x01020304, "ab", "bye");

        byte[] expected =
        [
            0x80, 0xC9, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04,
            .. SdesAb,
            0x81, 0xCB, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0x03, 0x62, 0x79, 0x65,
        ];
        Assert.Equal(expected, buffer[..length]);
    }

    [Fact]
    public void Cname_length_steps_keep_32_bit_alignment()
    {
        var buffer = new byte[512];
        for (int n = 0; n < 300; n++)
        {
            int length = RtcpWriter.WriteReceiverReport(buffer, 1, [], new string('x', n));

            Assert.Equal(0, length % 4);
            Assert.Equal(RtcpParseStatus.Ok, RtcpParser.TryParse(buffer.AsSpan(0, length), out RtcpSummary summary));
            Assert.Equal(Math.Min(n, 255), summary.Cname!.Length);
        }
    }

    [Fact]
    public void Parser_reads_back_what_the_writer_wrote()
    {
        var buffer = new byte[512];
        int length = RtcpWriter.WriteSenderReport(buffer, 77, 0x0A0B0C0D_0E0F1011, 1234, 9, 1440, [Block], "caller@example");
        length += RtcpWriter.WriteBye(buffer.AsSpan(length), 77, "caller@example", "hang up");

        Assert.Equal(RtcpParseStatus.Ok, RtcpParser.TryParse(buffer.AsSpan(0, length), out RtcpSummary summary));

        Assert.Equal(77u, summary.SenderSsrc);
        Assert.Equal(new RtcpSenderInfo(0x0A0B0C0D_0E0F1011, 1234, 9, 1440), summary.SenderInfo);
        Assert.Equal([Block], summary.ReportBlocks);
        Assert.Equal("caller@example", summary.Cname);
        Assert.True(summary.Bye);
        Assert.Equal("hang up", summary.ByeReason);
        Assert.Equal(5, summary.PacketCount);
    }

    [Fact]
    public void Unknown_packet_types_are_skipped()
    {
        byte[] compound = [0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 9, 0x81, 0xCE, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8];

        Assert.Equal(RtcpParseStatus.Ok, RtcpParser.TryParse(compound, out RtcpSummary summary));
        Assert.Equal(9u, summary.SenderSsrc);
        Assert.Null(summary.SenderInfo);
        Assert.Equal(2, summary.PacketCount);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0xC9 }, RtcpParseStatus.TooShort)]
    [InlineData(new byte[] { 0x40, 0xC9, 0x00, 0x01, 0, 0, 0, 1 }, RtcpParseStatus.BadVersion)]
    [InlineData(new byte[] { 0x80, 0xC9, 0x00, 0x05, 0, 0, 0, 1 }, RtcpParseStatus.BadLength)]
    [InlineData(new byte[] { 0x81, 0xC9, 0x00, 0x01, 0, 0, 0, 1 }, RtcpParseStatus.TooShort)] // RC=1 without its block
    [InlineData(new byte[] { 0x81, 0xC8, 0x00, 0x01, 0, 0, 0, 1 }, RtcpParseStatus.TooShort)]
    [InlineData(new byte[] { 0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 9, 0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1 }, RtcpParseStatus.BadPadding)]
    [InlineData(new byte[] { 0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 9 }, RtcpParseStatus.BadPadding)]
    [InlineData(new byte[] { 0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 0x61, 0x62 }, RtcpParseStatus.BadItem)]
    [InlineData(new byte[] { 0x82, 0xCB, 0x00, 0x01, 0, 0, 0, 1 }, RtcpParseStatus.BadItem)]
    [InlineData(new byte[] { 0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1, 0x80 }, RtcpParseStatus.TooShort)]
    public void Malformed_compounds_give_a_status(byte[] datagram, RtcpParseStatus expected)
    {
        Assert.Equal(expected, RtcpParser.TryParse(datagram, out _));
        Assert.NotEqual("ok", RtcpParser.Describe(expected));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(3551);
        var datagram = new byte[96];
        for (int i = 0; i < 20_000; i++)
        {
            Span<byte> slice = datagram.AsSpan(0, random.Next(datagram.Length + 1));
            random.NextBytes(slice);
            if (slice.Length > 3)
            {
                slice[0] = (byte)(0x80 | (slice[0] & 0x3F));
                slice[2] = 0;
                slice[3] = (byte)(slice[3] % 24);
            }

            RtcpParser.TryParse(slice, out RtcpSummary summary);
            Assert.True(summary.ReportBlocks.Count <= RtcpSummary.MaxReportBlocks);
        }
    }

    [Fact]
    public void Writer_refuses_a_small_buffer_and_too_many_blocks()
    {
        Assert.Throws<ArgumentException>(() => RtcpWriter.WriteSenderReport(new byte[40], 1, 0, 0, 0, 0, [Block], "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtcpWriter.WriteReceiverReport(new byte[2000], 1, new RtcpReportBlock[32], "x"));
    }

    [Fact]
    public void Statistics_feed_a_report_block()
    {
        var statistics = new RtpReceiverStatistics();
        for (ushort seq = 10; seq < 20; seq++)
        {
            if (seq != 15)
            {
                statistics.OnPacket(0xCAFE, seq, (uint)(seq * 160), seq * 160);
            }
        }

        statistics.OnSenderReport(0x0000_1234_5678_0000, 1000);
        RtcpReportBlock block = statistics.ReportBlock(1000 + 4000).ToArray().Single();

        Assert.Equal(new RtcpReportBlock(0xCAFE, 25, 1, 19, 0, 0x1234_5678, 32768), block); // 1/10 lost = 25/256; half a second = 32768/65536
        Assert.True(new RtpReceiverStatistics().ReportBlock().IsEmpty);
    }
}
