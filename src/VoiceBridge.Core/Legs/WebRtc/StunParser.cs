using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// Reads STUN messages (RFC 8489) as ICE exchanges them. Pure: bytes in, a <see cref="StunMessage"/>
/// or a status with an error naming what is wrong out; never throws on what a datagram holds, and
/// bounds everything it keeps (message size, attribute count, username length).
/// </summary>
public static class StunParser
{
    /// <summary>
    /// The longest datagram parsed. ICE checks are about 100 bytes and nothing STUN sends over UDP
    /// should exceed a path MTU, so anything longer is junk or an attack and is refused up front.
    /// </summary>
    public const int MaxMessageLength = 1500;

    /// <summary>The most attributes one message may carry (Chromium sends about 8).</summary>
    public const int MaxAttributes = 32;

    private const int MessageIntegrityLength = 20;
    private const int MaxReasonLength = 763;

    /// <summary>Parses <paramref name="datagram"/> into a new message; <paramref name="error"/> says what is wrong when the status is not <see cref="StunParseStatus.Ok"/>.</summary>
    public static StunParseStatus TryParse(ReadOnlySpan<byte> datagram, out StunMessage? message, out string? error)
    {
        var parsed = new StunMessage();
        StunParseStatus status = Parse(datagram, parsed, out error);
        message = status == StunParseStatus.Ok ? parsed : null;
        return status;
    }

    /// <summary>
    /// Checks MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 section 14.5): over the message up to the
    /// attribute, with the header's length as if the message ended right after it. False when the
    /// message has no MESSAGE-INTEGRITY or <paramref name="m"/> was not parsed from <paramref name="datagram"/>.
    /// </summary>
    public static bool VerifyIntegrity(ReadOnlySpan<byte> datagram, StunMessage m, ReadOnlySpan<byte> key)
    {
        int offset = m.MessageIntegrityOffset;
        if (offset < Stun.HeaderLength || offset + 4 + MessageIntegrityLength > datagram.Length || datagram.Length > MaxMessageLength)
        {
            return false;
        }

        Span<byte> covered = stackalloc byte[offset];
        datagram[..offset].CopyTo(covered);
        BinaryPrimitives.WriteUInt16BigEndian(covered[2..], (ushort)(offset - Stun.HeaderLength + 4 + MessageIntegrityLength));
        Span<byte> mac = stackalloc byte[MessageIntegrityLength];
        HMACSHA1.HashData(key, covered, mac);
        return CryptographicOperations.FixedTimeEquals(mac, datagram.Slice(offset + 4, MessageIntegrityLength));
    }

    /// <summary>Checks FINGERPRINT (CRC-32 of the message before it, XOR 0x5354554E). False when absent.</summary>
    public static bool VerifyFingerprint(ReadOnlySpan<byte> datagram, StunMessage m) =>
        m.FingerprintOffset >= Stun.HeaderLength && FingerprintMatches(datagram, m.FingerprintOffset);

    /// <summary>Parses into <paramref name="message"/>, reusing it; the message's content is undefined unless the status is <see cref="StunParseStatus.Ok"/>.</summary>
    internal static StunParseStatus Parse(ReadOnlySpan<byte> datagram, StunMessage message, out string? error)
    {
        error = null;
        if (datagram.Length < Stun.HeaderLength)
        {
            return Fail(StunParseStatus.TooShort, $"{datagram.Length} bytes is shorter than the 20-byte STUN header", out error);
        }

        if (datagram.Length > MaxMessageLength)
        {
            return Fail(StunParseStatus.TooLarge, $"{datagram.Length} bytes is longer than the {MaxMessageLength} accepted", out error);
        }

        if ((datagram[0] & 0xC0) != 0)
        {
            return Fail(StunParseStatus.NotStun, "the two leading bits are not zero", out error);
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != Stun.MagicCookie)
        {
            return Fail(StunParseStatus.BadMagicCookie, "the magic cookie is not 0x2112A442", out error);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((length & 3) != 0 || length != datagram.Length - Stun.HeaderLength)
        {
            return Fail(StunParseStatus.BadLength, $"the header's length {length} is not a multiple of 4 matching the {datagram.Length - Stun.HeaderLength} bytes after the header", out error);
        }

        message.Reset(BinaryPrimitives.ReadUInt16BigEndian(datagram), datagram.Length, datagram.Slice(8, Stun.TransactionIdLength));
        return ParseAttributes(datagram, message, out error);
    }

    private static StunParseStatus ParseAttributes(ReadOnlySpan<byte> datagram, StunMessage message, out string? error)
    {
        error = null;
        int offset = Stun.HeaderLength;
        int count = 0;
        while (offset < datagram.Length)
        {
            if (message.HasFingerprint)
            {
                return Fail(StunParseStatus.AttributeAfterFingerprint, $"an attribute at offset {offset} follows FINGERPRINT, which must be last", out error);
            }

            if (++count > MaxAttributes)
            {
                return Fail(StunParseStatus.TooManyAttributes, $"more than {MaxAttributes} attributes", out error);
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            int padded = (valueLength + 3) & ~3;
            if (padded > datagram.Length - offset - 4)
            {
                return Fail(StunParseStatus.TruncatedAttribute, $"attribute 0x{type:X4} at offset {offset} declares {valueLength} bytes, past the end of the message", out error);
            }

            ReadOnlySpan<byte> value = datagram.Slice(offset + 4, valueLength);
            string? problem = type == Stun.Fingerprint
                ? ReadFingerprint(datagram, offset, value, message)
                : message.MessageIntegrityOffset >= 0 ? null : ReadAttribute(datagram, offset, type, value, message);
            if (problem is not null)
            {
                return Fail(StunParseStatus.BadAttribute, problem, out error);
            }

            offset += 4 + padded;
        }

        return StunParseStatus.Ok;
    }

    /// <summary>Reads one attribute before MESSAGE-INTEGRITY (those after it are ignored, RFC 8489 section 14.5); returns a problem or null.</summary>
    private static string? ReadAttribute(ReadOnlySpan<byte> datagram, int offset, ushort type, ReadOnlySpan<byte> value, StunMessage message)
    {
        switch (type)
        {
            case Stun.Username:
                if (value.Length > StunMessage.MaxUsernameLength)
                {
                    return $"USERNAME is {value.Length} bytes, more than the {StunMessage.MaxUsernameLength} allowed";
                }

                if (!message.HasUsername)
                {
                    message.SetUsername(value);
                }

                return null;
            case Stun.Priority:
                if (value.Length != 4)
                {
                    return $"PRIORITY is {value.Length} bytes, not 4";
                }

                message.SetPriority(BinaryPrimitives.ReadUInt32BigEndian(value));
                return null;
            case Stun.UseCandidate:
                if (!value.IsEmpty)
                {
                    return $"USE-CANDIDATE carries {value.Length} bytes, not none";
                }

                message.SetUseCandidate();
                return null;
            case Stun.IceControlling or Stun.IceControlled:
                if (value.Length != 8)
                {
                    return $"{(type == Stun.IceControlling ? "ICE-CONTROLLING" : "ICE-CONTROLLED")} is {value.Length} bytes, not 8";
                }

                if (type == Stun.IceControlling)
                {
                    message.SetIceControlling(BinaryPrimitives.ReadUInt64BigEndian(value));
                }
                else
                {
                    message.SetIceControlled(BinaryPrimitives.ReadUInt64BigEndian(value));
                }

                return null;
            case Stun.MessageIntegrity:
                if (value.Length != MessageIntegrityLength)
                {
                    return $"MESSAGE-INTEGRITY is {value.Length} bytes, not 20";
                }

                message.SetMessageIntegrity(offset);
                return null;
            case Stun.XorMappedAddress:
                return ReadXorMappedAddress(datagram, value, message);
            case Stun.ErrorCode:
                return ReadErrorCode(value, message);
            case Stun.MappedAddress or Stun.UnknownAttributes or Stun.Realm or Stun.Nonce or Stun.MessageIntegritySha256 or Stun.PasswordAlgorithm or Stun.UserHash:
                return null;
            default:
                if (type < 0x8000)
                {
                    message.AddUnknownRequired(type);
                }

                return null;
        }
    }

    private static string? ReadFingerprint(ReadOnlySpan<byte> datagram, int offset, ReadOnlySpan<byte> value, StunMessage message)
    {
        if (value.Length != 4)
        {
            return $"FINGERPRINT is {value.Length} bytes, not 4";
        }

        message.SetFingerprint(offset, FingerprintMatches(datagram, offset));
        return null;
    }

    private static bool FingerprintMatches(ReadOnlySpan<byte> datagram, int offset)
    {
        if (offset + 8 != datagram.Length || BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]) != Stun.Fingerprint)
        {
            return false;
        }

        uint expected = StunCrc32.Compute(datagram[..offset]) ^ Stun.FingerprintXor;
        return BinaryPrimitives.ReadUInt32BigEndian(datagram[(offset + 4)..]) == expected;
    }

    private static string? ReadXorMappedAddress(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> value, StunMessage message)
    {
        int family = value.Length >= 2 ? value[1] : 0;
        int addressLength = family switch
        {
            1 => 4,
            2 => 16,
            _ => -1,
        };
        if (addressLength < 0 || value.Length != 4 + addressLength)
        {
            return $"XOR-MAPPED-ADDRESS has family {family} and {value.Length} bytes: expected family 1 with 8 or family 2 with 20";
        }

        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (int)(Stun.MagicCookie >> 16);
        Span<byte> address = stackalloc byte[addressLength];
        for (int i = 0; i < addressLength; i++)
        {
            // The cookie and transaction id are bytes 4-19 of the header, the XOR mask in order.
            address[i] = (byte)(value[4 + i] ^ datagram[4 + i]);
        }

        message.SetXorMappedAddress(new IPEndPoint(new IPAddress(address), port));
        return null;
    }

    private static string? ReadErrorCode(ReadOnlySpan<byte> value, StunMessage message)
    {
        if (value.Length < 4 || value.Length > 4 + MaxReasonLength)
        {
            return $"ERROR-CODE is {value.Length} bytes: expected 4 to {4 + MaxReasonLength}";
        }

        int errorClass = value[2] & 0x07;
        int number = value[3];
        if (errorClass < 3 || errorClass > 6 || number > 99)
        {
            return $"ERROR-CODE has class {errorClass} and number {number}: expected class 3-6 and number 0-99";
        }

        message.SetError((errorClass * 100) + number, Encoding.UTF8.GetString(value[4..]));
        return null;
    }

    private static StunParseStatus Fail(StunParseStatus status, string message, out string? error)
    {
        error = message;
        return status;
    }
}
