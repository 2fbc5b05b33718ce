using System.Text;
using CsCheck;
using VoiceBridge.Legs.Sip;
using static VoiceBridge.Tests.Legs.Sip.SipTestMessages;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// Property tests: whatever bytes arrive, the parser returns exactly one outcome without throwing, and
/// whatever it accepts it can write back and read again unchanged; generated valid messages round-trip.
/// </summary>
public sealed class SipParserPropertyTests
{
    private const string SipChars = "abcdefgSIPVvia:;,<>\"\\@%=/ \t\r\n0123456789.[]?&*-_!~'+`";

    private static readonly byte[][] Seeds = LoadSeeds();

    [Fact]
    public void Random_bytes_never_throw_and_give_exactly_one_outcome()
    {
        Gen.Byte.Array[0, 2048].Sample(CheckOutcome, iter: 5000);
    }

    [Fact]
    public void Random_sip_alphabet_text_never_throws()
    {
        Gen<byte[]> text = Gen.Char[SipChars].Array[0, 600].Select(chars => Encoding.UTF8.GetBytes("INVITE sip:a@b SIP/2.0\r\n" + new string(chars)));
        text.Sample(CheckOutcome, iter: 5000);
    }

    [Fact]
    public void Mutated_valid_messages_never_throw_and_what_is_accepted_round_trips()
    {
        Gen<Mutation> mutation = Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.Int[1, 40], Gen.Char[SipChars], (kind, at, length, c) => new Mutation(kind, at, length, (byte)c));
        Gen<byte[]> mutated = Gen.Select(Gen.Int[0, Seeds.Length - 1], mutation.Array[1, 6], (seed, mutations) => Mutate(Seeds[seed], mutations));

        mutated.Sample(CheckOutcome, iter: 10000);
    }

    [Fact]
    public void Generated_valid_messages_round_trip()
    {
        GenMessage().Sample(
            message =>
            {
                byte[] wire = message.ToBytes();
                SipParseResult result = SipParser.Parse(wire);
                Assert.True(result.Ok, result.Error + "\n" + Encoding.UTF8.GetString(wire));
                AssertSameMessage(message, result.Message!);
                AssertSameTypedValues(message, result.Message!);
                Assert.Equal(wire, result.Message!.ToBytes());
            },
            iter: 3000);
    }

    /// <summary>Exactly one of message, keep-alive or error; typed accessors of what is returned do not throw.</summary>
    private static void CheckOutcome(byte[] datagram)
    {
        SipParseResult result = SipParser.Parse(datagram);
        int outcomes = (result.Ok ? 1 : 0) + (result.IsKeepAlive ? 1 : 0) + (result.Error is not null ? 1 : 0);
        Assert.Equal(1, outcomes);
        if (result.Error is not null)
        {
            Assert.InRange(result.Error.Length, 1, 400);
            Assert.False(result.Error.Any(char.IsControl), "control character in error: " + result.Error.Replace("\0", "\\0", StringComparison.Ordinal));
        }

        if (result.Answerable is { } answerable)
        {
            Assert.NotNull(answerable.TopVia);
            Assert.NotEmpty(answerable.CreateResponse(result.SuggestedStatusCode, "Bad Request", "t").ToBytes());
        }

        if (result.Message is { } message)
        {
            SipMessage again = ParseOk(message.ToBytes());
            AssertSameMessage(message, again);
            AssertSameTypedValues(message, again);
            _ = message.ParsedRequestUri;
            _ = message.IsContactWildcard;
            if (message.IsRequest)
            {
                Assert.Equal(message.Vias, message.CreateResponse(200, "OK", "t").Vias);
            }
        }
    }

    private static Gen<SipMessage> GenMessage()
    {
        Gen<string> token = Gen.Char["abcXYZ019-.!%*_+`'~"].Array[1, 12].Select(c => new string(c));
        Gen<string> host = Gen.OneOf(
            Gen.Char["abcdefxyz0129-"].Array[1, 10].Select(c => new string(c) + ".example.com"),
            Gen.Int[1, 254].Select(n => $"192.0.2.{n}"),
            Gen.Int[1, 65535].Select(n => $"[2001:db8::{n:x}]"));
        Gen<string> anyText = Gen.Char['\0', '\u2fff'].Array[0, 16].Select(c => new string(c.Where(ch => !char.IsSurrogate(ch) && ch is not '\r' and not '\n').ToArray()));
        Gen<int?> port = Gen.Frequency((1, Gen.Const(default(int?))), (2, Gen.Int[1, 65535].Select(p => (int?)p)));
        Gen<SipUri> uri = Gen.Select(Gen.Frequency((1, Gen.Const(default(string?))), (3, anyText.Where(t => t.Length > 0).Select(t => (string?)t))), host, port, token.Array[0, 3], anyText,
            (user, h, p, flags, value) =>
            {
                var parameters = new OrderedDictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                foreach (string flag in flags)
                {
                    parameters.TryAdd(flag, flag.Length % 2 == 0 ? null : value.Length == 0 ? "v" : value);
                }

                return new SipUri("sip", user, null, h, p, parameters, new OrderedDictionary<string, string>(StringComparer.OrdinalIgnoreCase));
            });
        Gen<SipNameAddr> address = Gen.Select(Gen.Frequency((1, Gen.Const(default(string?))), (2, anyText.Select(t => (string?)t))), uri, token,
            (display, u, tag) => new SipNameAddr(display, u, SipParameters(("tag", tag))));
        Gen<SipVia> via = Gen.Select(Gen.OneOf("UDP", "TCP", "TLS", "WS"), host, port, token, Gen.Bool,
            (transport, h, p, branch, rport) => SipVia.Create(transport, h, p, SipVia.MagicCookie + branch, rport));

        return Gen.Select(token, uri, via.Array[1, 4], address, address, token, Gen.Long[0, SipCSeq.MaxNumber], Gen.Byte.Array[0, 300])
            .Select(Gen.Select(address.Array[0, 3], Gen.Int[0, 255], anyText), (parts, extra) =>
            {
                var (method, requestUri, vias, from, to, callId, cseq, body) = parts;
                var (routes, maxForwards, unknown) = extra;
                SipMessage m = SipMessage.Request(method, requestUri.ToString());
                foreach (SipVia v in vias)
                {
                    m.Headers.Add("Via", v.ToString());
                }

                m.Headers.Add("From", from.ToString());
                m.Headers.Add("To", to.ToString());
                m.Headers.Add("Call-ID", callId + "@" + requestUri.Host.Trim('[', ']').Replace(':', '.'));
                m.Headers.Add("CSeq", new SipCSeq(cseq, method).ToString());
                m.Headers.Add("Max-Forwards", maxForwards.ToString(System.Globalization.CultureInfo.InvariantCulture));
                foreach (SipNameAddr route in routes)
                {
                    m.Headers.Add("Record-Route", route.ToString());
                }

                m.Headers.Add("X-Anything", unknown);
                m.Body = body;
                return m;
            });
    }

    private static OrderedDictionary<string, string?> SipParameters(params (string Name, string? Value)[] pairs)
    {
        var parameters = new OrderedDictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string? value) in pairs)
        {
            parameters[name] = value;
        }

        return parameters;
    }

    private static byte[] Mutate(byte[] seed, Mutation[] mutations)
    {
        var bytes = new List<byte>(seed);
        foreach (Mutation m in mutations)
        {
            int at = bytes.Count == 0 ? 0 : m.At % bytes.Count;
            int length = Math.Min(m.Length, bytes.Count - at);
            switch (m.Kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = m.Value;
                    break;
                case 1:
                    bytes.Insert(at, m.Value);
                    break;
                case 2:
                    bytes.RemoveRange(at, length);
                    break;
                case 3:
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[][] LoadSeeds() =>
        Directory.GetFiles(Path.GetDirectoryName(TorturePath("wsinv"))!, "*.dat").Select(File.ReadAllBytes).Append(Bytes(Invite)).ToArray();

    private readonly record struct Mutation(int Kind, int At, int Length, byte Value);
}
