using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Parses one SIP message from a UDP datagram (RFC 3261 7 and 25, checked against the RFC 4475 torture
/// tests). Pure: bytes in, a <see cref="SipParseResult"/> out; never throws, and every loop is bounded by
/// the datagram, which is itself bounded by <see cref="MaxMessageBytes"/>. Lenient where RFC 4475 says a
/// parser must be (LWS and folding anywhere, compact and odd-case names, unknown headers and methods,
/// leading CRLFs, a missing Max-Forwards); strict where a wrong reading would mislead the layers above
/// (start line, the headers they read, Content-Length).
/// </summary>
public static partial class SipParser
{
    /// <summary>Largest datagram accepted: the largest UDP payload.</summary>
    public const int MaxMessageBytes = 65535;

    /// <summary>Most header fields (after unfolding) in one message.</summary>
    public const int MaxHeaders = 256;

    /// <summary>Longest start line or header field, after unfolding.</summary>
    public const int MaxLineChars = 16384;

    /// <summary>Most Via values in one message (a request that went through more proxies is surely looping).</summary>
    public const int MaxVias = 64;

    private const string SipVersion = "SIP/2.0";

    /// <summary>Parses one datagram. Never throws.</summary>
    public static SipParseResult Parse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > MaxMessageBytes)
        {
            return SipParseResult.Failed($"message of {datagram.Length} bytes exceeds the {MaxMessageBytes}-byte limit");
        }

        int start = 0;
        while (start < datagram.Length && datagram[start] is (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        if (start == datagram.Length)
        {
            return SipParseResult.KeepAlive();
        }

        string? framingError = ReadLines(datagram, start, out List<string> lines, out int bodyStart);
        if (framingError is not null)
        {
            return SipParseResult.Failed(framingError);
        }

        var state = new ParseState();
        SipMessage message = ReadStartLine(lines[0], state);
        ReadHeaderLines(lines, message.Headers, state);
        if (state.Fatal is not null)
        {
            return SipParseResult.Failed(state.Fatal);
        }

        ReadBody(message, datagram, bodyStart, state);
        Validate(message, state);
        return state.Error is null ? SipParseResult.Parsed(message) : Fail(message, state);
    }

    /// <summary>
    /// Splits the header section into logical lines (folded continuations joined with one SP) and finds
    /// where the body starts. The section ends at the first empty line, or at the end of the datagram.
    /// </summary>
    private static string? ReadLines(ReadOnlySpan<byte> data, int start, out List<string> lines, out int bodyStart)
    {
        lines = [];
        bodyStart = data.Length;
        var current = new StringBuilder();
        int headerCount = 0;
        int pos = start;
        while (pos < data.Length)
        {
            int lf = data[pos..].IndexOf((byte)'\n');
            int next = lf < 0 ? data.Length : pos + lf + 1;
            ReadOnlySpan<byte> raw = data[pos..(lf < 0 ? data.Length : pos + lf)];
            if (!raw.IsEmpty && raw[^1] == '\r')
            {
                raw = raw[..^1];
            }

            pos = next;
            if (raw.IsEmpty)
            {
                bodyStart = pos;
                break;
            }

            if (raw.IndexOf((byte)'\r') >= 0)
            {
                return $"line {lines.Count + 1} contains a bare CR";
            }

            string line = Encoding.UTF8.GetString(raw);
            if (lines.Count == 0)
            {
                lines.Add(line);
            }
            else if (raw[0] is (byte)' ' or (byte)'\t')
            {
                if (current.Length == 0)
                {
                    return "folded line where a header was expected";
                }

                current.Append(' ').Append(line.AsSpan().TrimStart(" \t"));
            }
            else
            {
                Flush(lines, current);
                if (++headerCount > MaxHeaders)
                {
                    return $"more than {MaxHeaders} header fields";
                }

                current.Append(line);
            }

            if (line.Length > MaxLineChars || current.Length > MaxLineChars)
            {
                return $"a line or header field is longer than {MaxLineChars} characters";
            }
        }

        Flush(lines, current);
        return null;
    }

    private static void Flush(List<string> lines, StringBuilder current)
    {
        if (current.Length > 0)
        {
            lines.Add(current.ToString());
            current.Clear();
        }
    }

    private static void ReadHeaderLines(List<string> lines, SipHeaders headers, ParseState state)
    {
        for (int i = 1; i < lines.Count; i++)
        {
            string line = lines[i];
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string name = colon > 0 ? line[..colon].TrimEnd(' ', '\t') : string.Empty;
            if (!SipSyntax.IsToken(name))
            {
                state.Fail($"malformed header line {SipUri.Show(line)}");
                continue;
            }

            headers.AddParsed(SipHeaderNames.Normalize(name), line[(colon + 1)..].Trim(' ', '\t'));
        }
    }

    /// <summary>Body: exactly Content-Length bytes; without Content-Length (UDP only), the rest of the datagram.</summary>
    private static void ReadBody(SipMessage message, ReadOnlySpan<byte> data, int bodyStart, ParseState state)
    {
        int available = data.Length - bodyStart;
        IReadOnlyList<string> values = message.Headers.GetAll(SipHeaderNames.ContentLength);
        if (values.Count == 0)
        {
            message.Body = data[bodyStart..].ToArray();
            return;
        }

        if (values.Count > 1)
        {
            state.Fail("more than one Content-Length");
            return;
        }

        if (!SipSyntax.TryParseDigits(values[0], int.MaxValue, out ulong length))
        {
            state.Fail($"Content-Length {SipUri.Show(values[0])} is not a non-negative number");
            return;
        }

        if ((int)length > available)
        {
            state.Fail($"Content-Length {length} exceeds the {available} bytes after the headers");
            return;
        }

        message.Body = data.Slice(bodyStart, (int)length).ToArray();
    }

    private static SipParseResult Fail(SipMessage message, ParseState state)
    {
        if (!message.IsRequest || !state.Answerable)
        {
            return SipParseResult.Failed(state.Error!);
        }

        SipHeaders h = message.Headers;
        bool present = h.Contains(SipHeaderNames.From) && h.Contains(SipHeaderNames.To) && h.Contains(SipHeaderNames.CallId) && h.Contains(SipHeaderNames.CSeq);
        if (!present || SipMessage.ReadVias(h, lenient: true, out List<SipVia> vias) is not null || vias.Count is 0 or > MaxVias)
        {
            return SipParseResult.Failed(state.Error!);
        }

        message.Body = [];
        message.SetAnswerableVias(vias);
        return new SipParseResult(null, state.Error, message) { SuggestedStatusCode = state.SuggestedStatus };
    }

    /// <summary>What went wrong so far: the first error is the one reported.</summary>
    private sealed class ParseState
    {
        public string? Error { get; private set; }

        /// <summary>An error that leaves nothing to answer (the message could not be read at all).</summary>
        public string? Fatal { get; private set; }

        /// <summary>False once the request line is unreadable, so no response can be formed.</summary>
        public bool Answerable { get; set; } = true;

        public int SuggestedStatus { get; set; } = 400;

        public void Fail(string error) => Error ??= error;

        public void FailFatal(string error)
        {
            Fatal ??= error;
            Error ??= error;
        }
    }
}
