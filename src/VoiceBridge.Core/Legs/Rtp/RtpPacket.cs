using System.Buffers.Binary;

namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// A view over one RTP datagram (RFC 3550 section 5.1): the fixed header, the CSRC list, the optional
/// header extension and the payload with any padding removed. It borrows the datagram's bytes and
/// allocates nothing, so a receive loop can parse every packet on the hot path.
/// </summary>
public readonly ref struct RtpPacket
{
    /// <summary>Length of the fixed header, without CSRCs or extension.</summary>
    public const int FixedHeaderLength = 12;

    /// <summary>The only RTP version in use.</summary>
    public const byte RtpVersion = 2;

    private readonly ReadOnlySpan<byte> _csrcs;

    private RtpPacket(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> csrcs, ushort extensionProfile, ReadOnlySpan<byte> extensionData, ReadOnlySpan<byte> payload)
    {
        Version = (byte)(datagram[0] >> 6);
        Padding = (datagram[0] & 0x20) != 0;
        Extension = (datagram[0] & 0x10) != 0;
        CsrcCount = datagram[0] & 0x0F;
        Marker = (datagram[1] & 0x80) != 0;
        PayloadType = (byte)(datagram[1] & 0x7F);
        SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        Timestamp = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]);
        Ssrc = BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]);
        _csrcs = csrcs;
        ExtensionProfile = extensionProfile;
        ExtensionData = extensionData;
        Payload = payload;
    }

    public byte Version { get; }

    public bool Padding { get; }

    public bool Extension { get; }

    public int CsrcCount { get; }

    /// <summary>Set on the first packet of a talkspurt for audio (RFC 3551 section 4.1).</summary>
    public bool Marker { get; }

    public byte PayloadType { get; }

    public ushort SequenceNumber { get; }

    public uint Timestamp { get; }

    public uint Ssrc { get; }

    /// <summary>The profile-defined 16 bits of the header extension; 0 when there is none.</summary>
    public ushort ExtensionProfile { get; }

    /// <summary>The header extension's body (without its 4-byte header); empty when there is none.</summary>
    public ReadOnlySpan<byte> ExtensionData { get; }

    /// <summary>The payload, padding removed.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The CSRC at <paramref name="index"/> (0 to <see cref="CsrcCount"/> - 1).</summary>
    public uint GetCsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, CsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_csrcs[(index * 4)..]);
    }

    /// <summary>
    /// Parses <paramref name="datagram"/>. Never throws: a malformed datagram gives a status other than
    /// <see cref="RtpParseStatus.Ok"/> (see <see cref="Describe"/>) and a default packet.
    /// </summary>
    public static RtpParseStatus TryParse(ReadOnlySpan<byte> datagram, out RtpPacket packet)
    {
        packet = default;
        if (datagram.Length < FixedHeaderLength)
        {
            return RtpParseStatus.TooShort;
        }

        if (datagram[0] >> 6 != RtpVersion)
        {
            return RtpParseStatus.BadVersion;
        }

        int offset = FixedHeaderLength;
        int csrcLength = (datagram[0] & 0x0F) * 4;
        if (datagram.Length < offset + csrcLength)
        {
            return RtpParseStatus.CsrcOverflow;
        }

        ReadOnlySpan<byte> csrcs = datagram.Slice(offset, csrcLength);
        offset += csrcLength;
        ushort profile = 0;
        ReadOnlySpan<byte> extension = default;
        if ((datagram[0] & 0x10) != 0)
        {
            if (datagram.Length < offset + 4)
            {
                return RtpParseStatus.BadExtension;
            }

            profile = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int extensionLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]) * 4;
            offset += 4;
            if (datagram.Length - offset < extensionLength)
            {
                return RtpParseStatus.BadExtension;
            }

            extension = datagram.Slice(offset, extensionLength);
            offset += extensionLength;
        }

        int end = datagram.Length;
        if ((datagram[0] & 0x20) != 0)
        {
            int padding = datagram[^1];
            if (padding == 0 || padding > end - offset)
            {
                return RtpParseStatus.BadPadding;
            }

            end -= padding;
        }

        packet = new RtpPacket(datagram, csrcs, profile, extension, datagram[offset..end]);
        return RtpParseStatus.Ok;
    }

    /// <summary>
    /// Writes a packet with no CSRCs, extension or padding, the only shape a single-source audio sender
    /// needs. Returns the number of bytes written. Throws when <paramref name="destination"/> is too
    /// small or <paramref name="payloadType"/> does not fit in 7 bits: both are the caller's bug.
    /// </summary>
    public static int Write(Span<byte> destination, byte payloadType, bool marker, ushort sequence, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)0x7F);
        int length = FixedHeaderLength + payload.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"RTP packet needs {length} bytes, destination has {destination.Length}", nameof(destination));
        }

        destination[0] = RtpVersion << 6;
        destination[1] = (byte)(marker ? payloadType | 0x80 : payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        payload.CopyTo(destination[FixedHeaderLength..]);
        return length;
    }

    /// <summary>A message naming what is wrong with a datagram that gave <paramref name="status"/>, for logs and counters.</summary>
    public static string Describe(RtpParseStatus status) => status switch
    {
        RtpParseStatus.Ok => "ok",
        RtpParseStatus.TooShort => "RTP datagram shorter than the 12-byte header",
        RtpParseStatus.BadVersion => "RTP version is not 2",
        RtpParseStatus.CsrcOverflow => "RTP CSRC count runs past the end of the datagram",
        RtpParseStatus.BadExtension => "RTP header extension runs past the end of the datagram",
        RtpParseStatus.BadPadding => "RTP padding count is zero or longer than the payload",
        _ => "unknown RTP parse status",
    };
}
