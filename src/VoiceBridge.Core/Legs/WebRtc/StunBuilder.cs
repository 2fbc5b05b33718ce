using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// Writes one STUN message attribute by attribute into a caller's buffer, keeping the header's
/// length current so MESSAGE-INTEGRITY and FINGERPRINT cover exactly what RFC 8489 says. It
/// allocates nothing. The buffer must be large enough: running out is a programming error and
/// throws <see cref="ArgumentException"/>.
/// </summary>
public ref struct StunBuilder
{
    private readonly Span<byte> _dest;
    private int _length;

    /// <summary>Starts a message of <paramref name="messageType"/> with <paramref name="transactionId"/> (12 bytes).</summary>
    public StunBuilder(Span<byte> dest, ushort messageType, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != Stun.TransactionIdLength)
        {
            throw new ArgumentException($"a STUN transaction id is 12 bytes, not {transactionId.Length}", nameof(transactionId));
        }

        if (dest.Length < Stun.HeaderLength)
        {
            throw new ArgumentException("the buffer cannot hold a STUN header", nameof(dest));
        }

        _dest = dest;
        BinaryPrimitives.WriteUInt16BigEndian(dest, messageType);
        BinaryPrimitives.WriteUInt32BigEndian(dest[4..], Stun.MagicCookie);
        transactionId.CopyTo(dest[8..]);
        _length = Stun.HeaderLength;
        SetHeaderLength();
    }

    /// <summary>Bytes written so far: the message's length once the last attribute is added.</summary>
    public readonly int Length => _length;

    /// <summary>Adds an attribute with <paramref name="value"/>, padded to 4 bytes with <paramref name="padding"/> (any value is allowed; zero is usual).</summary>
    public void Add(ushort type, ReadOnlySpan<byte> value, byte padding = 0)
    {
        Span<byte> slot = Reserve(type, value.Length);
        value.CopyTo(slot);
        slot[value.Length..((value.Length + 3) & ~3)].Fill(padding);
    }

    /// <summary>Adds a text attribute (USERNAME, SOFTWARE) as UTF-8.</summary>
    public void AddText(ushort type, string text, byte padding = 0)
    {
        int byteCount = Encoding.UTF8.GetByteCount(text);
        Span<byte> slot = Reserve(type, byteCount);
        Encoding.UTF8.GetBytes(text, slot);
        slot[byteCount..((byteCount + 3) & ~3)].Fill(padding);
    }

    public void AddUInt32(ushort type, uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(type, 4), value);

    public void AddUInt64(ushort type, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(type, 8), value);

    /// <summary>Adds XOR-MAPPED-ADDRESS (RFC 8489 section 14.2); an IPv4-mapped IPv6 address is written as the IPv4 address it is.</summary>
    public void AddXorAddress(ushort type, IPEndPoint endPoint)
    {
        Span<byte> address = stackalloc byte[16];
        if (!endPoint.Address.TryWriteBytes(address, out int written))
        {
            throw new ArgumentException("the address does not fit in 16 bytes", nameof(endPoint));
        }

        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.IsIPv4MappedToIPv6)
        {
            address = address[12..16];
        }
        else
        {
            address = address[..written];
        }

        Span<byte> slot = Reserve(type, 4 + address.Length);
        slot[0] = 0;
        slot[1] = (byte)(address.Length == 4 ? 1 : 2);
        BinaryPrimitives.WriteUInt16BigEndian(slot[2..], (ushort)(endPoint.Port ^ (int)(Stun.MagicCookie >> 16)));
        for (int i = 0; i < address.Length; i++)
        {
            slot[4 + i] = (byte)(address[i] ^ _dest[4 + i]);
        }
    }

    /// <summary>Adds ERROR-CODE (RFC 8489 section 14.8): <paramref name="code"/> 300-699 and a reason phrase.</summary>
    public void AddErrorCode(int code, string reason)
    {
        if (code < 300 || code > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "a STUN error code lies within 300-699");
        }

        int reasonLength = Encoding.UTF8.GetByteCount(reason);
        Span<byte> slot = Reserve(Stun.ErrorCode, 4 + reasonLength);
        slot[..4].Clear();
        slot[2] = (byte)(code / 100);
        slot[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, slot[4..]);
        slot[(4 + reasonLength)..((4 + reasonLength + 3) & ~3)].Clear();
    }

    /// <summary>Adds UNKNOWN-ATTRIBUTES listing <paramref name="types"/> (RFC 8489 section 14.9).</summary>
    public void AddUnknownAttributes(ReadOnlySpan<ushort> types)
    {
        Span<byte> slot = Reserve(Stun.UnknownAttributes, types.Length * 2);
        for (int i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(slot[(i * 2)..], types[i]);
        }

        slot[(types.Length * 2)..((types.Length * 2 + 3) & ~3)].Clear();
    }

    /// <summary>Adds MESSAGE-INTEGRITY: HMAC-SHA1 under <paramref name="key"/> of everything so far, the length counting the attribute itself.</summary>
    public void AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int covered = _length;
        Span<byte> slot = Reserve(Stun.MessageIntegrity, 20);
        HMACSHA1.HashData(key, _dest[..covered], slot);
    }

    /// <summary>Adds FINGERPRINT, which must come last: CRC-32 of everything so far XOR 0x5354554E.</summary>
    public void AddFingerprint()
    {
        int covered = _length;
        Span<byte> slot = Reserve(Stun.Fingerprint, 4);
        BinaryPrimitives.WriteUInt32BigEndian(slot, StunCrc32.Compute(_dest[..covered]) ^ Stun.FingerprintXor);
    }

    /// <summary>Writes the attribute header, grows the message (and its header's length) to hold the padded value, and returns the value's slot including padding.</summary>
    private Span<byte> Reserve(ushort type, int valueLength)
    {
        int padded = (valueLength + 3) & ~3;
        if (valueLength > ushort.MaxValue || _length + 4 + padded > _dest.Length || _length + 4 + padded - Stun.HeaderLength > ushort.MaxValue)
        {
            throw new ArgumentException($"attribute 0x{type:X4} of {valueLength} bytes does not fit in the {_dest.Length}-byte buffer");
        }

        BinaryPrimitives.WriteUInt16BigEndian(_dest[_length..], type);
        BinaryPrimitives.WriteUInt16BigEndian(_dest[(_length + 2)..], (ushort)valueLength);
        Span<byte> slot = _dest.Slice(_length + 4, padded);
        _length += 4 + padded;
        SetHeaderLength();
        return slot;
    }

    private readonly void SetHeaderLength() => BinaryPrimitives.WriteUInt16BigEndian(_dest[2..], (ushort)(_length - Stun.HeaderLength));
}
