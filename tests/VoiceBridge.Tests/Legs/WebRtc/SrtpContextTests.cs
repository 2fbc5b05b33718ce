using System.Buffers.Binary;
using CsCheck;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

public sealed class SrtpContextTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090A0B0C0D0E0F");
    private static readonly byte[] Salt = Convert.FromHexString("A0A1A2A3A4A5A6A7A8A9AAABACAD");

    [Fact]
    public void Rtp_round_trip_restores_header_and_payload_and_hides_the_payload()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] original = Rtp(7, 0x11223344, 160);
        byte[] packet = Room(original);

        int length = sender.ProtectRtp(packet, original.Length);

        Assert.Equal(original.Length + SrtpContext.TagLength, length);
        Assert.Equal(original.AsSpan(0, 12).ToArray(), packet.AsSpan(0, 12).ToArray());
        Assert.NotEqual(original.AsSpan(12).ToArray(), packet.AsSpan(12, 160).ToArray());
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, length, out int plainLength));
        Assert.Equal(original, packet.AsSpan(0, plainLength).ToArray());
        Assert.Equal(1, sender.Counters.Protected);
        Assert.Equal(1, receiver.Counters.Unprotected);
    }

    [Fact]
    public void Rtp_with_csrcs_and_header_extension_keeps_them_in_the_clear()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] original = new byte[12 + 8 + 8 + 20];
        original[0] = 0x80 | 0x10 | 2;
        BinaryPrimitives.WriteUInt32BigEndian(original.AsSpan(8), 5);
        original.AsSpan(12, 8).Fill(0xCC);
        BinaryPrimitives.WriteUInt16BigEndian(original.AsSpan(20), 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(original.AsSpan(22), 1);
        original.AsSpan(24, 4).Fill(0xEE);
        original.AsSpan(28).Fill(0x55);
        byte[] packet = Room(original);

        int length = sender.ProtectRtp(packet, original.Length);

        Assert.Equal(original.AsSpan(0, 28).ToArray(), packet.AsSpan(0, 28).ToArray());
        Assert.NotEqual(original.AsSpan(28).ToArray(), packet.AsSpan(28, 20).ToArray());
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, length, out int plainLength));
        Assert.Equal(original, packet.AsSpan(0, plainLength).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(171)]
    public void A_flipped_bit_anywhere_fails_authentication_and_leaves_the_bytes(int position)
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] packet = Room(Rtp(1, 42, 160));
        int length = sender.ProtectRtp(packet, 172);
        packet[position] ^= 0x01;
        byte[] tampered = packet.ToArray();

        Assert.Equal(SrtpStatus.AuthFailed, receiver.UnprotectRtp(packet, length, out int plainLength));

        Assert.Equal(0, plainLength);
        Assert.Equal(tampered, packet);
        Assert.Equal(1, receiver.Counters.AuthFailed);
    }

    [Fact]
    public void Other_keys_fail_authentication()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Salt.Concat(Key).Take(16).ToArray(), Salt);
        byte[] packet = Room(Rtp(1, 42, 20));
        int length = sender.ProtectRtp(packet, 32);

        Assert.Equal(SrtpStatus.AuthFailed, receiver.UnprotectRtp(packet, length, out _));
    }

    [Fact]
    public void A_replayed_packet_is_refused_after_the_first_copy()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] packet = Protect(sender, Rtp(100, 9, 20));
        byte[] copy = packet.ToArray();

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, packet.Length, out _));
        Assert.Equal(SrtpStatus.Replayed, receiver.UnprotectRtp(copy, copy.Length, out _));
        Assert.Equal(1, receiver.Counters.Replayed);
    }

    [Fact]
    public void Sequence_wrap_increments_the_rollover_counter_on_both_sides()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        foreach (ushort sequence in new ushort[] { 65534, 65535, 0, 1, 2 })
        {
            byte[] original = Rtp(sequence, 77, 40);
            byte[] packet = Protect(sender, original);

            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, packet.Length, out int plainLength));
            Assert.Equal(original, packet.AsSpan(0, plainLength).ToArray());
        }
    }

    [Fact]
    public void After_a_wrap_the_packet_is_encrypted_under_the_next_rollover_counter()
    {
        using var wrapped = new SrtpContext(Key, Salt);
        using var fresh = new SrtpContext(Key, Salt);
        Protect(wrapped, Rtp(65535, 77, 40));
        byte[] afterWrap = Protect(wrapped, Rtp(0, 77, 40));
        byte[] firstEver = Protect(fresh, Rtp(0, 77, 40));

        Assert.NotEqual(firstEver, afterWrap);
    }

    [Fact]
    public void A_late_packet_from_before_the_wrap_decrypts_under_the_previous_rollover_counter()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] beforeWrap = Rtp(65530, 3, 20);
        byte[] late = Protect(sender, beforeWrap);
        byte[] next = Protect(sender, Rtp(65531, 3, 20));
        byte[] wrapped = Protect(sender, Rtp(1, 3, 20));

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(next, next.Length, out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(wrapped, wrapped.Length, out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(late, late.Length, out int plainLength));
        Assert.Equal(beforeWrap, late.AsSpan(0, plainLength).ToArray());
    }

    [Fact]
    public void Out_of_order_packets_within_the_window_are_accepted_once()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[][] packets = Enumerable.Range(1000, 70).Select(s => Protect(sender, Rtp((ushort)s, 5, 20))).ToArray();

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[69], packets[69].Length, out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[10], packets[10].Length, out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[6], packets[6].Length, out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[68], packets[68].Length, out _));
    }

    [Fact]
    public void A_packet_further_behind_than_the_window_is_too_old()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[][] packets = Enumerable.Range(1000, 70).Select(s => Protect(sender, Rtp((ushort)s, 5, 20))).ToArray();

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packets[69], packets[69].Length, out _));
        Assert.Equal(SrtpStatus.TooOld, receiver.UnprotectRtp(packets[5], packets[5].Length, out _));
        Assert.Equal(1, receiver.Counters.TooOld);
    }

    [Fact]
    public void A_sequence_that_would_need_a_negative_rollover_counter_is_a_bad_index()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] first = Protect(sender, Rtp(100, 8, 20));
        using var other = new SrtpContext(Key, Salt);
        byte[] behindTheStart = Protect(other, Rtp(65500, 8, 20));

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(first, first.Length, out _));
        Assert.Equal(SrtpStatus.BadIndex, receiver.UnprotectRtp(behindTheStart, behindTheStart.Length, out _));
        Assert.Equal(1, receiver.Counters.BadIndex);
    }

    [Fact]
    public void Each_ssrc_has_its_own_replay_window()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] a = Protect(sender, Rtp(10, 1, 20));
        byte[] b = Protect(sender, Rtp(10, 2, 20));

        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(a, a.Length, out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(b, b.Length, out _));
    }

    [Fact]
    public void New_streams_beyond_the_limit_are_refused_after_authenticating()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        for (uint ssrc = 0; ssrc < 16; ssrc++)
        {
            byte[] packet = Protect(sender, Rtp(1, ssrc, 4));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtp(packet, packet.Length, out _));
        }

        var extra = new SrtpContext(Key, Salt);
        byte[] seventeenth = Protect(extra, Rtp(1, 99, 4));

        Assert.Equal(SrtpStatus.TooManyStreams, receiver.UnprotectRtp(seventeenth, seventeenth.Length, out _));
        extra.Dispose();
    }

    [Theory]
    [InlineData(0, SrtpStatus.TooShort)]
    [InlineData(21, SrtpStatus.TooShort)]
    public void Short_packets_are_refused(int length, SrtpStatus expected)
    {
        using var receiver = new SrtpContext(Key, Salt);
        byte[] packet = new byte[length];
        if (length > 0)
        {
            packet[0] = 0x80;
        }

        Assert.Equal(expected, receiver.UnprotectRtp(packet, length, out _));
    }

    [Fact]
    public void Csrcs_running_past_the_end_are_too_short_and_version_1_is_malformed()
    {
        using var receiver = new SrtpContext(Key, Salt);
        byte[] packet = new byte[40];
        packet[0] = 0x80 | 0x0F;

        Assert.Equal(SrtpStatus.TooShort, receiver.UnprotectRtp(packet, packet.Length, out _));

        packet[0] = 0x40;
        Assert.Equal(SrtpStatus.Malformed, receiver.UnprotectRtp(packet, packet.Length, out _));
    }

    [Fact]
    public void Rtcp_round_trip_encrypts_after_eight_bytes_and_carries_e_and_index()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] original = Rtcp(0xABCDEF01, 20);

        for (uint expectedIndex = 0; expectedIndex < 3; expectedIndex++)
        {
            byte[] packet = Room(original);
            int length = sender.ProtectRtcp(packet, original.Length);

            Assert.Equal(original.Length + SrtpContext.RtcpTrailerLength, length);
            Assert.Equal(original.AsSpan(0, 8).ToArray(), packet.AsSpan(0, 8).ToArray());
            Assert.NotEqual(original.AsSpan(8).ToArray(), packet.AsSpan(8, 20).ToArray());
            Assert.Equal(0x8000_0000 | expectedIndex, BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(original.Length)));
            Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(packet, length, out int plainLength));
            Assert.Equal(original, packet.AsSpan(0, plainLength).ToArray());
        }
    }

    [Fact]
    public void Rtcp_replay_and_tampering_are_refused()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] packet = Room(Rtcp(1, 20));
        int length = sender.ProtectRtcp(packet, 28);
        byte[] replay = packet.ToArray();
        byte[] tampered = packet.ToArray();
        tampered[length - 11] ^= 0x80;

        Assert.Equal(SrtpStatus.AuthFailed, receiver.UnprotectRtcp(tampered, length, out _));
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(packet, length, out _));
        Assert.Equal(SrtpStatus.Replayed, receiver.UnprotectRtcp(replay, length, out _));
        Assert.Equal(SrtpStatus.TooShort, receiver.UnprotectRtcp(new byte[21], 21, out _));
    }

    [Fact]
    public void Rtp_and_rtcp_use_different_session_keys()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] rtcp = Room(Rtcp(5, 24));
        int length = sender.ProtectRtcp(rtcp, 32);

        Assert.NotEqual(SrtpStatus.Ok, receiver.UnprotectRtp(rtcp, length, out _));
    }

    [Fact]
    public void Protecting_a_malformed_or_unroomy_packet_is_a_caller_bug()
    {
        using var sender = new SrtpContext(Key, Salt);
        byte[] packet = Rtp(1, 1, 20);

        Assert.Throws<ArgumentException>(() => sender.ProtectRtp(packet, packet.Length));
        Assert.Throws<ArgumentOutOfRangeException>(() => sender.ProtectRtp(new byte[40], 8));
        Assert.Throws<ArgumentException>(() => new SrtpContext(Key.AsSpan(0, 15), Salt));
        Assert.Throws<ArgumentException>(() => new SrtpContext(Key, Salt.AsSpan(0, 12)));
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_pass()
    {
        using var receiver = new SrtpContext(Key, Salt);
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            byte[] copy = bytes.ToArray();
            SrtpStatus rtp = receiver.UnprotectRtp(copy, copy.Length, out _);
            SrtpStatus rtcp = receiver.UnprotectRtcp(bytes, bytes.Length, out _);
            return rtp != SrtpStatus.Ok && rtcp != SrtpStatus.Ok;
        }, threads: 1); // one context serves one stream at a time (its documented contract)
    }

    [Fact]
    public void Steady_state_protect_and_unprotect_allocate_nothing()
    {
        using var sender = new SrtpContext(Key, Salt);
        using var receiver = new SrtpContext(Key, Salt);
        byte[] packet = new byte[172 + SrtpContext.RtcpTrailerLength];
        int failures = RoundTrip(sender, receiver, packet, 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 200; i++)
        {
            failures += RoundTrip(sender, receiver, packet, i);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }

    /// <summary>One RTP and one RTCP round trip; returns how many failed (asserting here would allocate).</summary>
    private static int RoundTrip(SrtpContext sender, SrtpContext receiver, byte[] packet, int i)
    {
        packet[0] = 0x80;
        packet[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)i);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 1234);
        int length = sender.ProtectRtp(packet, 172);
        int failures = receiver.UnprotectRtp(packet, length, out _) == SrtpStatus.Ok ? 0 : 1;
        packet[0] = 0x81;
        packet[1] = 201;
        length = sender.ProtectRtcp(packet, 32);
        return failures + (receiver.UnprotectRtcp(packet, length, out _) == SrtpStatus.Ok ? 0 : 1);
    }

    private static byte[] Rtp(ushort sequence, uint ssrc, int payloadLength)
    {
        var packet = new byte[12 + payloadLength];
        packet[0] = 0x80;
        packet[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 160u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        for (int i = 12; i < packet.Length; i++)
        {
            packet[i] = (byte)(i * 7);
        }

        return packet;
    }

    private static byte[] Rtcp(uint ssrc, int bodyLength)
    {
        var packet = new byte[8 + bodyLength];
        packet[0] = 0x80;
        packet[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)((packet.Length / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ssrc);
        packet.AsSpan(8).Fill(0x3C);
        return packet;
    }

    private static byte[] Room(byte[] packet)
    {
        var buffer = new byte[packet.Length + SrtpContext.RtcpTrailerLength];
        packet.CopyTo(buffer, 0);
        return buffer;
    }

    private static byte[] Protect(SrtpContext sender, byte[] packet)
    {
        byte[] buffer = Room(packet);
        int length = sender.ProtectRtp(buffer, packet.Length);
        return buffer.AsSpan(0, length).ToArray();
    }
}
