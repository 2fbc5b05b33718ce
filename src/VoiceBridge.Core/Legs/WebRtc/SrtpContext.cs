using System.Buffers.Binary;
using System.Security.Cryptography;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// SRTP and SRTCP with the AES128_CM_HMAC_SHA1_80 profile (RFC 3711): AES-128 counter mode, an 80-bit HMAC-SHA1
/// tag, session keys derived once from the master key and salt (key derivation rate 0, which is what DTLS-SRTP
/// negotiates), no MKI. One context serves one direction of an SSRC space and keeps per-SSRC state: for sending the
/// rollover counter and the SRTCP index, for receiving the index estimate and a 64-packet replay window, each
/// created on a stream's first packet (received streams only once it authenticates).
/// Nothing is allocated per packet. RTP calls must come one at a time and RTCP calls one at a time; an RTP and an
/// RTCP call may run concurrently, since the two use separate keys, buffers and state.
/// </summary>
public sealed partial class SrtpContext : IDisposable
{
    /// <summary>Bytes the 80-bit authentication tag adds to every packet.</summary>
    public const int TagLength = 10;

    private const int FixedHeaderLength = 12;
    private const int MacLength = 20;
    private const int AuthKeyLength = 20;

    private readonly AesCounterMode _rtpCipher;
    private readonly byte[] _rtpSalt = new byte[14];
    private readonly IncrementalHash _rtpAuth;
    private readonly SrtpStreamTable _rtpSend = new();
    private readonly SrtpStreamTable _rtpReceive = new();

    /// <summary>Derives the six session keys (RFC 3711 4.3.1) from a 16-byte master key and 14-byte master salt.</summary>
    public SrtpContext(ReadOnlySpan<byte> masterKey16, ReadOnlySpan<byte> masterSalt14)
    {
        if (masterKey16.Length != 16)
        {
            throw new ArgumentException($"an SRTP master key is 16 bytes, not {masterKey16.Length}", nameof(masterKey16));
        }

        if (masterSalt14.Length != 14)
        {
            throw new ArgumentException($"an SRTP master salt is 14 bytes, not {masterSalt14.Length}", nameof(masterSalt14));
        }

        Span<byte> key = stackalloc byte[16];
        Span<byte> auth = stackalloc byte[AuthKeyLength];
        try
        {
            SrtpKeyDerivation.Derive(masterKey16, masterSalt14, SrtpKeyDerivation.RtpEncryption, key);
            SrtpKeyDerivation.Derive(masterKey16, masterSalt14, SrtpKeyDerivation.RtpAuthentication, auth);
            SrtpKeyDerivation.Derive(masterKey16, masterSalt14, SrtpKeyDerivation.RtpSalt, _rtpSalt);
            _rtpCipher = new AesCounterMode(key);
            _rtpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, auth);

            SrtpKeyDerivation.Derive(masterKey16, masterSalt14, SrtpKeyDerivation.RtcpEncryption, key);
            SrtpKeyDerivation.Derive(masterKey16, masterSalt14, SrtpKeyDerivation.RtcpAuthentication, auth);
            SrtpKeyDerivation.Derive(masterKey16, masterSalt14, SrtpKeyDerivation.RtcpSalt, _rtcpSalt);
            _rtcpCipher = new AesCounterMode(key);
            _rtcpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, auth);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(auth);
        }
    }

    public SrtpCounters Counters { get; } = new();

    /// <summary>
    /// Encrypts the payload of the RTP packet in <paramref name="packet"/>[0..<paramref name="length"/>) in place
    /// and appends the tag, so the span needs <see cref="TagLength"/> spare bytes. The rollover counter of the
    /// packet's SSRC advances when its sequence number wraps. Returns the protected length.
    /// </summary>
    /// <exception cref="ArgumentException">The packet is not a complete RTP packet or there is no room for the tag: a bug in the caller.</exception>
    public int ProtectRtp(Span<byte> packet, int length)
    {
        CheckProtectArguments(packet, length, FixedHeaderLength, TagLength);
        Span<byte> rtp = packet[..length];
        int headerLength = RtpHeaderLength(rtp);
        if (headerLength < 0 || (rtp[0] >> 6) != 2)
        {
            throw new ArgumentException("not a complete version-2 RTP packet (header, CSRCs or extension truncated)", nameof(packet));
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(rtp[8..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(rtp[2..]);
        int slot = _rtpSend.IndexOf(ssrc);
        if (slot < 0 && (slot = _rtpSend.Add(ssrc)) < 0)
        {
            throw new ArgumentException($"more than {SrtpStreamTable.MaxStreams} SSRCs sent through one SRTP context", nameof(packet));
        }

        ref SrtpReplayWindow state = ref _rtpSend.Window(slot);
        if (!state.TryEstimateIndex(sequence, out ulong index))
        {
            throw new ArgumentException($"sequence {sequence} lies before the first packet sent on SSRC {ssrc}", nameof(packet));
        }

        state.Accept(index);
        Span<byte> iv = stackalloc byte[16];
        BuildIv(_rtpSalt, ssrc, index, iv);
        _rtpCipher.Apply(iv, rtp[headerLength..]);
        RtpTag(rtp, (uint)(index >> 16), packet.Slice(length, TagLength));
        Counters.CountProtected();
        return length + TagLength;
    }

    /// <summary>
    /// Authenticates and decrypts the SRTP packet in <paramref name="packet"/>[0..<paramref name="length"/>) in
    /// place. On <see cref="SrtpStatus.Ok"/> the RTP packet is the first <paramref name="plainLength"/> bytes; on
    /// any other status the bytes are left as they were and nothing about the stream changes. Never throws on
    /// untrusted bytes.
    /// </summary>
    public SrtpStatus UnprotectRtp(Span<byte> packet, int length, out int plainLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, packet.Length);
        plainLength = 0;
        if (length < FixedHeaderLength + TagLength)
        {
            return Counters.Count(SrtpStatus.TooShort);
        }

        Span<byte> rtp = packet[..(length - TagLength)];
        if ((rtp[0] >> 6) != 2)
        {
            return Counters.Count(SrtpStatus.Malformed);
        }

        int headerLength = RtpHeaderLength(rtp);
        if (headerLength < 0)
        {
            return Counters.Count(SrtpStatus.TooShort);
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(rtp[8..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(rtp[2..]);
        int slot = _rtpReceive.IndexOf(ssrc);
        SrtpReplayWindow fresh = default;
        ref SrtpReplayWindow window = ref slot >= 0 ? ref _rtpReceive.Window(slot) : ref fresh;
        if (!window.TryEstimateIndex(sequence, out ulong index))
        {
            return Counters.Count(SrtpStatus.BadIndex);
        }

        SrtpStatus replay = window.Check(index);
        if (replay != SrtpStatus.Ok)
        {
            return Counters.Count(replay);
        }

        Span<byte> tag = stackalloc byte[TagLength];
        RtpTag(rtp, (uint)(index >> 16), tag);
        if (!CryptographicOperations.FixedTimeEquals(tag, packet.Slice(rtp.Length, TagLength)))
        {
            return Counters.Count(SrtpStatus.AuthFailed);
        }

        if (slot < 0)
        {
            slot = _rtpReceive.Add(ssrc);
            if (slot < 0)
            {
                return Counters.Count(SrtpStatus.TooManyStreams);
            }
        }

        _rtpReceive.Window(slot).Accept(index);
        Span<byte> iv = stackalloc byte[16];
        BuildIv(_rtpSalt, ssrc, index, iv);
        _rtpCipher.Apply(iv, rtp[headerLength..]);
        plainLength = rtp.Length;
        return Counters.Count(SrtpStatus.Ok);
    }

    public void Dispose()
    {
        _rtpCipher.Dispose();
        _rtpAuth.Dispose();
        _rtcpCipher.Dispose();
        _rtcpAuth.Dispose();
    }

    /// <summary>
    /// The AES-CM IV of RFC 3711 4.1.1: (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), in 16 bytes.
    /// </summary>
    internal static void BuildIv(ReadOnlySpan<byte> salt14, uint ssrc, ulong index, Span<byte> iv16)
    {
        iv16.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(iv16[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(iv16[8..], index << 16);
        for (int i = 0; i < salt14.Length; i++)
        {
            iv16[i] ^= salt14[i];
        }
    }

    /// <summary>The fixed header, CSRCs and header extension, or -1 when they run past the end.</summary>
    private static int RtpHeaderLength(ReadOnlySpan<byte> rtp)
    {
        int length = FixedHeaderLength + (4 * (rtp[0] & 0x0F));
        if ((rtp[0] & 0x10) != 0)
        {
            if (length + 4 > rtp.Length)
            {
                return -1;
            }

            length += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(rtp[(length + 2)..]));
        }

        return length <= rtp.Length ? length : -1;
    }

    private static void CheckProtectArguments(Span<byte> packet, int length, int minimum, int trailer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, minimum);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, packet.Length);
        if (packet.Length < length + trailer)
        {
            throw new ArgumentException($"the buffer needs {trailer} bytes after the packet for the SRTP trailer", nameof(packet));
        }
    }

    /// <summary>RFC 3711 4.2: HMAC-SHA1 over the packet followed by the rollover counter, cut to 80 bits.</summary>
    private void RtpTag(ReadOnlySpan<byte> authenticated, uint rolloverCounter, Span<byte> tag)
    {
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, rolloverCounter);
        Span<byte> mac = stackalloc byte[MacLength];
        _rtpAuth.AppendData(authenticated);
        _rtpAuth.AppendData(roc);
        _rtpAuth.GetHashAndReset(mac);
        mac[..TagLength].CopyTo(tag);
    }
}
