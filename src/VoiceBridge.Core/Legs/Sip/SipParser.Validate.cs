namespace VoiceBridge.Legs.Sip;

/// <summary>Start line and the checks on the headers the layers above read (RFC 3261 8.1.1, 8.2.2, 20).</summary>
public static partial class SipParser
{
    private static SipMessage ReadStartLine(string line, ParseState state)
    {
        if (line.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            return ReadStatusLine(line, state);
        }

        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3 || !SipSyntax.IsToken(words[0]))
        {
            state.Answerable = false;
            state.FailFatal($"malformed request line {SipUri.Show(line)}");
            return SipMessage.FromParsed(isRequest: true, string.Empty, string.Empty, 0, string.Empty);
        }

        string method = words[0];
        string version = words[^1];
        int uriStart = line.IndexOf(method, StringComparison.Ordinal) + method.Length;
        string uri = line[uriStart..line.LastIndexOf(version, StringComparison.Ordinal)].Trim(' ');
        var message = SipMessage.FromParsed(isRequest: true, method, uri, 0, string.Empty);
        if (!version.Equals(SipVersion, StringComparison.OrdinalIgnoreCase))
        {
            CheckVersion(version, state);
            return message;
        }

        if (words.Length > 3)
        {
            state.Fail($"Request-URI {SipUri.Show(uri)} contains whitespace");
        }
        else if (line.Length != method.Length + uri.Length + version.Length + 2)
        {
            state.Fail("request line has extra spaces between or after its elements");
        }
        else if (uri.StartsWith('<'))
        {
            state.Fail($"Request-URI {SipUri.Show(uri)} must not be enclosed in <>");
        }
        else if (!SipUri.TryParse(uri, out SipUri? parsed, out string? error))
        {
            state.Fail($"Request-URI: {error}");
        }
        else if (parsed!.IsSip && parsed.Headers.Count > 0)
        {
            state.Fail($"Request-URI {SipUri.Show(uri)} must not contain headers");
        }

        return message;
    }

    private static SipMessage ReadStatusLine(string line, ParseState state)
    {
        state.Answerable = false;
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        string version = space < 0 ? line : line[..space];
        var failed = SipMessage.FromParsed(isRequest: false, string.Empty, string.Empty, 0, string.Empty);
        if (!version.Equals(SipVersion, StringComparison.OrdinalIgnoreCase))
        {
            state.FailFatal($"unsupported SIP version {SipUri.Show(version)}");
            return failed;
        }

        string rest = space < 0 ? string.Empty : line[(space + 1)..];
        int codeEnd = rest.IndexOf(' ', StringComparison.Ordinal) is var sp and >= 0 ? sp : rest.Length;
        string codeText = rest[..codeEnd];
        if (codeText.Length != 3 || !SipSyntax.TryParseDigits(codeText, 699, out ulong code) || code < 100)
        {
            state.FailFatal($"status code {SipUri.Show(codeText)} is not 100-699");
            return failed;
        }

        string reason = codeEnd < rest.Length ? rest[(codeEnd + 1)..] : string.Empty;
        return SipMessage.FromParsed(isRequest: false, string.Empty, string.Empty, (int)code, reason);
    }

    /// <summary>A well-formed SIP/x.y other than 2.0 deserves a 505 (RFC 3261 21.5.6); anything else is not SIP.</summary>
    private static void CheckVersion(string version, ParseState state)
    {
        bool sipLike = version.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase)
            && version[4..].Split('.') is [{ Length: > 0 } major, { Length: > 0 } minor]
            && major.All(char.IsAsciiDigit) && minor.All(char.IsAsciiDigit);
        if (sipLike)
        {
            state.SuggestedStatus = 505;
            state.Fail($"unsupported SIP version {SipUri.Show(version)}");
            return;
        }

        state.Answerable = false;
        state.FailFatal($"malformed request line: {SipUri.Show(version)} is not a SIP version");
    }

    /// <summary>Reads every header the typed accessors expose, so that they cannot fail on a parsed message.</summary>
    private static void Validate(SipMessage message, ParseState state)
    {
        SipHeaders headers = message.Headers;
        string? error = SipMessage.ReadVias(headers, lenient: false, out List<SipVia> vias);
        if (error is not null)
        {
            state.Fail(error);
        }
        else if (vias.Count == 0)
        {
            state.Fail("missing Via");
        }
        else if (vias.Count > MaxVias)
        {
            state.Fail($"more than {MaxVias} Via values");
        }

        Check(state, SipMessage.ReadSingleAddress(headers, SipHeaderNames.From, out _));
        Check(state, SipMessage.ReadSingleAddress(headers, SipHeaderNames.To, out _));
        Check(state, SipMessage.ReadCallId(headers, out _));
        IReadOnlyList<string> cseqs = headers.GetAll(SipHeaderNames.CSeq);
        if (cseqs.Count != 1)
        {
            state.Fail(cseqs.Count == 0 ? "missing CSeq" : "more than one CSeq");
        }
        else if (!SipCSeq.TryParse(cseqs[0], out SipCSeq cseq, out error))
        {
            state.Fail(error!);
        }
        else if (message.IsRequest && !string.Equals(cseq.Method, message.Method, StringComparison.Ordinal))
        {
            state.Fail($"CSeq method {cseq.Method} does not match the request method {message.Method}");
        }

        Check(state, SipMessage.ReadMaxForwards(headers, out _));
        Check(state, SipMessage.ReadAddressList(headers, SipHeaderNames.Contact, out _));
        Check(state, SipMessage.ReadAddressList(headers, SipHeaderNames.RecordRoute, out _));
        Check(state, SipMessage.ReadAddressList(headers, SipHeaderNames.Route, out _));
    }

    private static void Check(ParseState state, string? error)
    {
        if (error is not null)
        {
            state.Fail(error);
        }
    }
}
