using System.Buffers.Binary;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Fuzzing;

public static partial class FuzzTargets
{
    private const byte TelephoneEventType = 101;

    /// <summary>The RFC 5769 (section 2.1) short-term password the STUN seeds are signed with.</summary>
    private static readonly byte[] StunKey = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();

    private static readonly byte[] SrtpKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] SrtpSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    private static FuzzTarget Rtp() => new(
        "rtp",
        "RtpPacket.TryParse (RFC 3550: CSRCs, header extension, padding) and the telephone-event payload inside",
        [
            RtpBytes(0x80, 0, 160),
            RtpBytes(0x92, 8, 160),
            RtpBytes(0xA0, 0, 161, padding: 1),
            RtpBytes(0x80, TelephoneEventType, 0, [0x05, 0x8A, 0x03, 0x20]),
        ],
        ParseRtp)
    {
        MaxInputBytes = 2048,
    };

    private static void ParseRtp(ReadOnlySpan<byte> input)
    {
        if (RtpPacket.TryParse(input, out RtpPacket packet) != RtpParseStatus.Ok)
        {
            return;
        }

        for (int i = 0; i < packet.CsrcCount; i++)
        {
            _ = packet.GetCsrc(i);
        }

        _ = (packet.ExtensionData.Length, packet.Payload.Length);
        if (packet.PayloadType == TelephoneEventType)
        {
            _ = Dtmf4733.TryParse(packet.Payload, packet.Timestamp, out _, out _);
        }
    }

    private static FuzzTarget TelephoneEvent() => new(
        "telephone-event",
        "Dtmf4733.TryParse: RFC 4733 telephone-event payloads",
        [[0x05, 0x0A, 0x00, 0xA0], [0x0B, 0x8A, 0x03, 0x20], [0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x01, 0x40], [0x10, 0x3F, 0xFF, 0xFF]],
        input => _ = Dtmf4733.TryParse(input, 0x1234, out _, out _))
    {
        MaxInputBytes = 64,
    };

    private static FuzzTarget Rtcp() => new(
        "rtcp",
        "RtcpParser.TryParse: compound RTCP (RFC 3550 section 6: SR, RR, SDES, BYE, skipped APP/feedback)",
        [
            Convert.FromHexString(
                "80C80006" + "11223344" + "E7A1B2C3D4E5F607" + "00001F40" + "00000032" + "00001F40" +
                "81CA0003" + "11223344" + "0105616C696365" + "00"),
            Convert.FromHexString("81C90007" + "55667788" + "11223344" + "05000010" + "00010203" + "00000014" + "AABBCCDD" + "00000100" +
                "81CB0003" + "55667788" + "04627965210000" + "00"),
            Convert.FromHexString("80CC0002" + "11223344" + "6E616D65" + "81CD0002" + "11223344" + "55667788"),
        ],
        input => _ = RtcpParser.TryParse(input, out _))
    {
        MaxInputBytes = 2048,
    };

    private static FuzzTarget Stun() => new(
        "stun",
        "StunParser.TryParse (RFC 8489) with the MESSAGE-INTEGRITY and FINGERPRINT checks ICE runs on a parsed message",
        [
            Convert.FromHexString(
                "000100582112A442B7E7A701BC34D686FA87DFAE802200105354554E207465737420636C69656E74" +
                "002400046E0001FF80290008932FF9B151263B36000600096576746A3A68367659202020" +
                "000800149AEAA70CBFD8CB56781EF2B5B2D3F249C1B571A280280004E57A3BCF"),
            Convert.FromHexString(
                "0101003C2112A442B7E7A701BC34D686FA87DFAE8022000B7465737420766563746F7220" +
                "002000080001A147E112A643000800142B91F599FD9E90C38C7489F92AF9BA53F06BE7D780280004C07D4C96"),
            Convert.FromHexString(
                "010100482112A442B7E7A701BC34D686FA87DFAE8022000B7465737420766563746F7220" +
                "002000140002A1470113A9FAA5D3F179BC25F4B5BED2B9D900080014A382954E4BE67BF11784C97C8292C275BFE3ED4180280004C8FB0B4C"),
        ],
        input =>
        {
            if (StunParser.TryParse(input, out StunMessage? message, out _) == StunParseStatus.Ok)
            {
                _ = StunParser.VerifyIntegrity(input, message!, StunKey);
                _ = StunParser.VerifyFingerprint(input, message!);
            }
        })
    {
        MaxInputBytes = 4096,
    };

    private static FuzzTarget DtlsRecord() => new(
        "dtls-record",
        "PacketDemux.Classify (RFC 7983) and DtlsRecordCheck.Validate: DTLS record framing before BouncyCastle sees a datagram",
        [
            Convert.FromHexString("16FEFF" + "0000000000000000" + "0036" + "0100002A0000000000" + "00002AFEFD" + new string('A', 64) + "00000002C02B0100"),
            Convert.FromHexString("14FEFD0000000000000005000101" + "15FEFD000000000000000600020230" + "17FEFD00010000000000010004DEADBEEF"),
        ],
        input =>
        {
            if (PacketDemux.Classify(input) == PacketKind.Dtls)
            {
                _ = DtlsRecordCheck.Validate(input);
            }
        })
    {
        MaxInputBytes = 4096,
    };

    /// <summary>SRTP and SRTCP unprotect (RFC 3711) under a fixed key: header walking and authentication of hostile packets.</summary>
    private static FuzzTarget Srtp()
    {
        var sender = new SrtpContext(SrtpKey, SrtpSalt);
        var receiver = new SrtpContext(SrtpKey, SrtpSalt);
        byte[] scratch = new byte[4096];
        byte[] Protect(byte[] plain, bool rtcp)
        {
            byte[] packet = new byte[plain.Length + SrtpContext.RtcpTrailerLength];
            plain.CopyTo(packet, 0);
            int length = rtcp ? sender.ProtectRtcp(packet, plain.Length) : sender.ProtectRtp(packet, plain.Length);
            return packet[..length];
        }

        return new FuzzTarget(
            "srtp",
            "SrtpContext.UnprotectRtp/UnprotectRtcp (RFC 3711, AES-CM + HMAC-SHA1-80) on hostile packets",
            [Protect(RtpBytes(0x80, 0, 160), rtcp: false), Protect(RtpBytes(0x90, 111, 60), rtcp: false), Protect(Convert.FromHexString("81C90001" + "55667788"), rtcp: true)],
            input =>
            {
                input.CopyTo(scratch);
                bool rtcp = input.Length > 1 && input[1] is >= 192 and <= 223;
                _ = rtcp ? receiver.UnprotectRtcp(scratch, input.Length, out _) : receiver.UnprotectRtp(scratch, input.Length, out _);
            })
        {
            MaxInputBytes = scratch.Length,
        };
    }

    /// <summary>An RTP packet: first byte as given (version, padding, extension, CSRC count), then header, CSRCs, a one-byte-header extension, payload.</summary>
    private static byte[] RtpBytes(byte first, byte payloadType, int payloadLength, byte[]? payload = null, int padding = 0)
    {
        int csrcs = first & 0x0F;
        bool extension = (first & 0x10) != 0;
        int length = 12 + (csrcs * 4) + (extension ? 8 : 0) + (payload?.Length ?? payloadLength) + padding;
        byte[] packet = new byte[length];
        packet[0] = first;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 4711);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 160_000);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x11223344);
        int offset = 12 + (csrcs * 4);
        if (extension)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset), 0xBEDE);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset + 2), 1);
            packet[offset + 4] = 0x10;
            packet[offset + 5] = 0x7F;
            offset += 8;
        }

        if (payload is not null)
        {
            payload.CopyTo(packet, offset);
        }
        else
        {
            packet.AsSpan(offset, payloadLength).Fill(0xFF);
        }

        if (padding > 0)
        {
            packet[^1] = (byte)padding;
        }

        return packet;
    }
}
