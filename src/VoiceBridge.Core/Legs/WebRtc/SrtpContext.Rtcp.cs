using System.Buffers.Binary;
using System.Security.Cryptography;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>SRTCP (RFC 3711 section 3.4): the index travels in the packet, so no estimate is needed.</summary>
public sealed partial class SrtpContext
{
    /// <summary>Bytes SRTCP appends: the E flag with the 31-bit index, then the tag.</summary>
    public const int RtcpTrailerLength = 4 + TagLength;

    private const int RtcpHeaderLength = 8;
    private const uint EncryptedFlag = 0x8000_0000;
    private const uint MaxRtcpIndex = 0x7FFF_FFFF;

    private readonly AesCounterMode _rtcpCipher;
    private readonly byte[] _rtcpSalt = new byte[14];
    private readonly IncrementalHash _rtcpAuth;
    private readonly SrtpStreamTable _rtcpSend = new();
    private readonly SrtpStreamTable _rtcpReceive = new();

    /// <summary>
    /// Encrypts the compound RTCP packet in <paramref name="packet"/>[0..<paramref name="length"/>) after its first
    /// 8 bytes (header and sender SSRC), appends E=1 with the sender SSRC's next SRTCP index and the tag, so the span
    /// needs <see cref="RtcpTrailerLength"/> spare bytes. Returns the protected length.
    /// </summary>
    /// <exception cref="ArgumentException">Shorter than 8 bytes or no room for the trailer: a bug in the caller.</exception>
    public int ProtectRtcp(Span<byte> packet, int length)
    {
        CheckProtectArguments(packet, length, RtcpHeaderLength, RtcpTrailerLength);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        int slot = _rtcpSend.IndexOf(ssrc);
        if (slot < 0 && (slot = _rtcpSend.Add(ssrc)) < 0)
        {
            throw new ArgumentException($"more than {SrtpStreamTable.MaxStreams} SSRCs sent through one SRTCP context", nameof(packet));
        }

        ref uint next = ref _rtcpSend.NextRtcpIndex(slot);
        uint index = next;
        next = (next + 1) & MaxRtcpIndex;

        Span<byte> iv = stackalloc byte[16];
        BuildIv(_rtcpSalt, ssrc, index, iv);
        _rtcpCipher.Apply(iv, packet[RtcpHeaderLength..length]);
        BinaryPrimitives.WriteUInt32BigEndian(packet[length..], EncryptedFlag | index);
        RtcpTag(packet[..(length + 4)], packet.Slice(length + 4, TagLength));
        Counters.CountProtected();
        return length + RtcpTrailerLength;
    }

    /// <summary>
    /// Authenticates and, when its E flag is set, decrypts the SRTCP packet in place. On
    /// <see cref="SrtpStatus.Ok"/> the compound RTCP packet is the first <paramref name="plainLength"/> bytes; on
    /// any other status nothing changes. Never throws on untrusted bytes.
    /// </summary>
    public SrtpStatus UnprotectRtcp(Span<byte> packet, int length, out int plainLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, packet.Length);
        plainLength = 0;
        if (length < RtcpHeaderLength + RtcpTrailerLength)
        {
            return Counters.Count(SrtpStatus.TooShort);
        }

        if ((packet[0] >> 6) != 2)
        {
            return Counters.Count(SrtpStatus.Malformed);
        }

        int authenticatedLength = length - TagLength;
        int rtcpLength = authenticatedLength - 4;
        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[rtcpLength..]);
        uint index = word & MaxRtcpIndex;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        int slot = _rtcpReceive.IndexOf(ssrc);
        SrtpStatus replay = slot >= 0 ? _rtcpReceive.Window(slot).Check(index) : SrtpStatus.Ok;
        if (replay != SrtpStatus.Ok)
        {
            return Counters.Count(replay);
        }

        Span<byte> tag = stackalloc byte[TagLength];
        RtcpTag(packet[..authenticatedLength], tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, packet.Slice(authenticatedLength, TagLength)))
        {
            return Counters.Count(SrtpStatus.AuthFailed);
        }

        if (slot < 0)
        {
            slot = _rtcpReceive.Add(ssrc);
            if (slot < 0)
            {
                return Counters.Count(SrtpStatus.TooManyStreams);
            }
        }

        _rtcpReceive.Window(slot).Accept(index);
        if ((word & EncryptedFlag) != 0)
        {
            Span<byte> iv = stackalloc byte[16];
            BuildIv(_rtcpSalt, ssrc, index, iv);
            _rtcpCipher.Apply(iv, packet[RtcpHeaderLength..rtcpLength]);
        }

        plainLength = rtcpLength;
        return Counters.Count(SrtpStatus.Ok);
    }

    /// <summary>RFC 3711 3.4: HMAC-SHA1 over the packet including the E flag and index, cut to 80 bits.</summary>
    private void RtcpTag(ReadOnlySpan<byte> authenticated, Span<byte> tag)
    {
        Span<byte> mac = stackalloc byte[MacLength];
        _rtcpAuth.AppendData(authenticated);
        _rtcpAuth.GetHashAndReset(mac);
        mac[..TagLength].CopyTo(tag);
    }
}
