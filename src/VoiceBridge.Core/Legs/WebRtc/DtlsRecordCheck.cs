using System.Buffers.Binary;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// A cheap sanity check of a datagram before it reaches BouncyCastle (RFC 6347 section 4.1): one or more whole
/// DTLS records with a known content type and a DTLS version, nothing left over. It keeps junk that the RFC 7983
/// demux let through (first byte 20-63) from costing the DTLS thread a wake-up and from filling the queue.
/// </summary>
internal static class DtlsRecordCheck
{
    public const int RecordHeaderLength = 13;

    /// <summary>Null when the datagram is well-formed, else what is wrong with it.</summary>
    public static string? Validate(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > DtlsDatagramQueue.ReceiveLimit)
        {
            return $"{datagram.Length} bytes, more than the {DtlsDatagramQueue.ReceiveLimit} a DTLS datagram may have";
        }

        if (datagram.IsEmpty)
        {
            return "an empty datagram";
        }

        while (!datagram.IsEmpty)
        {
            if (datagram.Length < RecordHeaderLength)
            {
                return $"{datagram.Length} bytes left, fewer than a {RecordHeaderLength}-byte DTLS record header";
            }

            byte type = datagram[0];
            if (type is < 20 or > 23)
            {
                return $"record content type {type} is not change_cipher_spec, alert, handshake or application_data";
            }

            ushort version = BinaryPrimitives.ReadUInt16BigEndian(datagram[1..]);
            if (version is not (0xFEFF or 0xFEFD))
            {
                return $"record version 0x{version:X4} is not DTLS 1.0 or 1.2";
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            if (RecordHeaderLength + length > datagram.Length)
            {
                return $"record length {length} runs past the end of the datagram";
            }

            datagram = datagram[(RecordHeaderLength + length)..];
        }

        return null;
    }
}
