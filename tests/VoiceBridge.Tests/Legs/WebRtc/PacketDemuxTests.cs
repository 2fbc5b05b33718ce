using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

public sealed class PacketDemuxTests
{
    [Theory]
    [InlineData(0, PacketKind.Stun)]
    [InlineData(1, PacketKind.Stun)]
    [InlineData(3, PacketKind.Stun)]
    [InlineData(4, PacketKind.Unknown)]
    [InlineData(16, PacketKind.Unknown)] // ZRTP
    [InlineData(19, PacketKind.Unknown)]
    [InlineData(20, PacketKind.Dtls)] // change_cipher_spec
    [InlineData(22, PacketKind.Dtls)] // handshake
    [InlineData(63, PacketKind.Dtls)]
    [InlineData(64, PacketKind.Unknown)] // TURN channel
    [InlineData(127, PacketKind.Unknown)]
    [InlineData(128, PacketKind.Rtp)]
    [InlineData(0xA1, PacketKind.Rtp)] // V=2 with padding and a count, as RTCP may start
    [InlineData(191, PacketKind.Rtp)]
    [InlineData(192, PacketKind.Unknown)]
    [InlineData(255, PacketKind.Unknown)]
    public void Classifies_by_first_byte_per_rfc_7983(int first, PacketKind expected)
    {
        Assert.Equal(expected, PacketDemux.Classify([(byte)first, 0x00, 0x00]));
    }

    [Fact]
    public void Empty_datagram_is_unknown()
    {
        Assert.Equal(PacketKind.Unknown, PacketDemux.Classify([]));
    }

    [Fact]
    public void Every_first_byte_classifies_into_exactly_the_rfc_ranges()
    {
        for (int b = 0; b < 256; b++)
        {
            PacketKind expected = b <= 3 ? PacketKind.Stun : b is >= 20 and <= 63 ? PacketKind.Dtls : b is >= 128 and <= 191 ? PacketKind.Rtp : PacketKind.Unknown;
            Assert.Equal(expected, PacketDemux.Classify([(byte)b]));
        }
    }
}
