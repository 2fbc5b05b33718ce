using System.Net;
using System.Text;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>Random and mutated bytes never make the parser or the agent throw; written requests parse back.</summary>
public sealed class StunPropertyTests
{
    private static readonly IPEndPoint From = new(IPAddress.Parse("198.51.100.9"), 61000);

    private static readonly byte[][] Seeds =
    [
        StunTestVectors.SampleRequest,
        StunTestVectors.SampleIPv4Response,
        StunTestVectors.SampleIPv6Response,
        StunTestVectors.SampleLongTermRequest,
        ValidCheck(),
    ];

    [Fact]
    public void Random_bytes_never_throw()
    {
        var agent = NewAgent();
        Gen.Byte.Array[0, 2048].Sample(bytes => Survives(agent, bytes), iter: 5000);
    }

    /// <summary>Random bytes behind a valid header, so the attribute walk is exercised, not just the header checks.</summary>
    [Fact]
    public void Random_attributes_behind_a_valid_header_never_throw()
    {
        var agent = NewAgent();
        Gen.Select(Gen.Int[0, 3], Gen.Byte.Array[0, 400]).Sample(
            (kind, body) =>
            {
                int length = body.Length & ~3;
                byte[] datagram = [0x00, (byte)(kind switch { 0 => 0x01, 1 => 0x11, 2 => 0x01, _ => 0x11 }), (byte)(length >> 8), (byte)length, 0x21, 0x12, 0xA4, 0x42, .. new byte[12], .. body[..length]];
                if (kind >= 2)
                {
                    datagram[0] = 0x01;
                }

                return Survives(agent, datagram);
            },
            iter: 5000);
    }

    [Fact]
    public void Mutated_messages_never_throw()
    {
        var agent = NewAgent();
        Gen<(int Seed, (int At, byte Value, int Cut)[] Mutations)> mutated = Gen.Select(
            Gen.Int[0, Seeds.Length - 1],
            Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte, Gen.Int[0, 9]).Array[1, 4]);
        mutated.Sample(
            input =>
            {
                byte[] bytes = (byte[])Seeds[input.Seed].Clone();
                foreach ((int at, byte value, int cut) in input.Mutations)
                {
                    if (bytes.Length == 0)
                    {
                        break;
                    }

                    bytes = cut == 0 ? bytes[..(at % bytes.Length)] : bytes;
                    if (bytes.Length > 0)
                    {
                        bytes[at % bytes.Length] = value;
                    }
                }

                return Survives(agent, bytes);
            },
            iter: 10000);
    }

    /// <summary>Any byte changed before FINGERPRINT (which is then recomputed, as an attacker would) loses the check: no success, no nomination.</summary>
    [Fact]
    public void A_changed_byte_under_the_integrity_is_never_answered_with_success()
    {
        byte[] check = ValidCheck();
        Gen.Select(Gen.Int[0, check.Length - 9], Gen.Byte[1, 255]).Sample(
            (at, flip) =>
            {
                // CsCheck samples on several threads: each case has its own buffers.
                var response = new byte[IceLiteAgent.MinResponseBuffer];
                var agent = NewAgent();
                byte[] bytes = (byte[])check.Clone();
                bytes[at] ^= flip;
                uint crc = StunCrc32.Compute(bytes.AsSpan(0, bytes.Length - 8)) ^ Stun.FingerprintXor;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(bytes.Length - 4), crc);

                int length = agent.Handle(bytes, From, response);
                return agent.Counters.Answered == 0 && agent.Selected is null
                    && (length == 0 || (StunParser.TryParse(response.AsSpan(0, length), out StunMessage? answer, out _) == StunParseStatus.Ok && answer!.Class == StunClass.ErrorResponse));
            },
            iter: 3000);
        Assert.Equal(1, NewAgent().Handle(check, From, new byte[IceLiteAgent.MinResponseBuffer]) > 0 ? 1 : 0);
    }

    [Fact]
    public void Written_requests_parse_back_with_their_fields_and_check()
    {
        Gen<string> iceChars = Gen.Char["ABCXYZabcxyz0189+/"].Array[4, 40].Select(c => new string(c));
        Gen.Select(iceChars, iceChars, Gen.UInt, Gen.ULong, Gen.Bool, Gen.Byte.Array[12]).Sample(
            (ufrag, password, priority, tieBreaker, useCandidate, transactionId) =>
            {
                var buffer = new byte[300];
                byte[] key = Encoding.ASCII.GetBytes(password);
                int length = StunWriter.WriteBindingRequest(buffer, transactionId, ufrag, priority, tieBreaker, useCandidate, key);
                ReadOnlySpan<byte> datagram = buffer.AsSpan(0, length);
                return StunParser.TryParse(datagram, out StunMessage? m, out _) == StunParseStatus.Ok
                    && m!.Username == ufrag && m.Priority == priority && m.IceControlling == tieBreaker && m.UseCandidate == useCandidate
                    && m.TransactionId.SequenceEqual(transactionId) && m.FingerprintValid
                    && StunParser.VerifyIntegrity(datagram, m, key) && !StunParser.VerifyIntegrity(datagram, m, [.. key, 0x41]);
            },
            iter: 2000);
    }

    /// <summary>Parsing, verifying and handling <paramref name="bytes"/> completes without an exception; a response is well-formed STUN.</summary>
    /// <remarks>CsCheck samples on several threads: each case writes its own response buffer.</remarks>
    private static bool Survives(IceLiteAgent agent, byte[] bytes)
    {
        var response = new byte[IceLiteAgent.MinResponseBuffer];
        if (StunParser.TryParse(bytes, out StunMessage? m, out string? error) == StunParseStatus.Ok)
        {
            StunParser.VerifyFingerprint(bytes, m!);
            StunParser.VerifyIntegrity(bytes, m!, "key"u8);
            _ = m!.Username;
        }
        else if (string.IsNullOrEmpty(error))
        {
            return false;
        }

        int length = agent.Handle(bytes, From, response);
        return length == 0 || StunParser.TryParse(response.AsSpan(0, length), out StunMessage? answer, out _) == StunParseStatus.Ok && answer!.FingerprintValid;
    }

    private static IceLiteAgent NewAgent() =>
        new(IceLiteAgentTests.LocalUfrag, IceLiteAgentTests.LocalPassword, IceLiteAgentTests.RemoteUfrag, IceLiteAgentTests.RemotePassword, new FakeTimeProvider());

    private static byte[] ValidCheck()
    {
        var buffer = new byte[300];
        int length = StunWriter.WriteBindingRequest(buffer, new byte[12], $"{IceLiteAgentTests.LocalUfrag}:{IceLiteAgentTests.RemoteUfrag}", 1, 2, true, Encoding.ASCII.GetBytes(IceLiteAgentTests.LocalPassword));
        return buffer[..length];
    }
}
