using System.Globalization;
using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// A SIP request or response (RFC 3261 7): start line, ordered headers and body. Built by
/// <see cref="SipParser"/> from bytes or by <see cref="Request"/>/<see cref="Response"/> and header
/// edits. The typed accessors (in SipMessage.Typed.cs) read the headers on demand and remember the
/// result until the headers change; on a parsed message they never throw, because the parser has
/// already read every one of them. Not thread-safe.
/// </summary>
public sealed partial class SipMessage
{
    private readonly string _requestMethod;
    private byte[] _body = [];

    private SipMessage(bool isRequest, string method, string requestUri, int statusCode, string reasonPhrase)
    {
        IsRequest = isRequest;
        _requestMethod = method;
        RequestUri = requestUri;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
    }

    public bool IsRequest { get; }

    /// <summary>The request method; for a response, the method of its CSeq ("" while there is none).</summary>
    public string Method => IsRequest ? _requestMethod : (Headers.Get(SipHeaderNames.CSeq) is { } cseq && SipCSeq.TryParse(cseq, out SipCSeq c, out _) ? c.Method : string.Empty);

    /// <summary>The Request-URI as written on the request line; "" for a response.</summary>
    public string RequestUri { get; }

    /// <summary>The status code of a response; 0 for a request.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase of a response (may be empty); "" for a request.</summary>
    public string ReasonPhrase { get; }

    public SipHeaders Headers { get; } = new();

    /// <summary>The body: exactly Content-Length bytes as received. <see cref="ToBytes"/> writes the matching Content-Length.</summary>
    public byte[] Body
    {
        get => _body;
        set => _body = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Starts a request; <paramref name="method"/> must be a token and <paramref name="requestUri"/> a valid URI.</summary>
    public static SipMessage Request(string method, string requestUri)
    {
        if (!SipSyntax.IsToken(method))
        {
            throw new ArgumentException($"method {SipUri.Show(method ?? string.Empty)} is not a token", nameof(method));
        }

        if (!SipUri.TryParse(requestUri, out _, out string? error))
        {
            throw new ArgumentException(error, nameof(requestUri));
        }

        return new SipMessage(isRequest: true, method, requestUri, 0, string.Empty);
    }

    /// <summary>Starts a response; <paramref name="code"/> must be 100-699.</summary>
    public static SipMessage Response(int code, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 699);
        ArgumentNullException.ThrowIfNull(reason);
        if (reason.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("reason phrase contains a line break", nameof(reason));
        }

        return new SipMessage(isRequest: false, string.Empty, string.Empty, code, reason);
    }

    /// <summary>A message as the parser read it; its typed values are checked by the parser, not here.</summary>
    internal static SipMessage FromParsed(bool isRequest, string method, string requestUri, int statusCode, string reasonPhrase) =>
        new(isRequest, method, requestUri, statusCode, reasonPhrase);

    /// <summary>
    /// Builds a response to this request per RFC 3261 8.2.6: copies every Via (in order), From, To (adding
    /// <paramref name="toTag"/> when given and To has no tag), Call-ID and CSeq as written; copies Timestamp
    /// into a 100 (8.2.6.1) and Record-Route into a 101-299 response to INVITE (12.1.1). Content-Length is
    /// written by <see cref="ToBytes"/>. Works on an <see cref="SipParseResult.Answerable"/> request too.
    /// </summary>
    public SipMessage CreateResponse(int code, string reason, string? toTag = null)
    {
        if (!IsRequest)
        {
            throw new InvalidOperationException("only a request can be answered");
        }

        if (toTag is not null && !SipSyntax.IsToken(toTag))
        {
            throw new ArgumentException($"tag {SipUri.Show(toTag)} is not a token", nameof(toTag));
        }

        SipMessage response = Response(code, reason);
        foreach (string via in Headers.GetAll(SipHeaderNames.Via))
        {
            response.Headers.Add(SipHeaderNames.Via, via);
        }

        CopyFirst(response, SipHeaderNames.From);
        if (Headers.Get(SipHeaderNames.To) is { } to)
        {
            bool hasTag = SipNameAddr.TryParse(to, out SipNameAddr? parsed, out _) && parsed!.Tag is not null;
            response.Headers.Add(SipHeaderNames.To, toTag is null || hasTag ? to : $"{to};tag={toTag}");
        }

        CopyFirst(response, SipHeaderNames.CallId);
        CopyFirst(response, SipHeaderNames.CSeq);
        if (code == 100)
        {
            CopyFirst(response, SipHeaderNames.Timestamp);
        }

        if (code is > 100 and < 300 && _requestMethod == "INVITE")
        {
            foreach (string rr in Headers.GetAll(SipHeaderNames.RecordRoute))
            {
                response.Headers.Add(SipHeaderNames.RecordRoute, rr);
            }
        }

        return response;
    }

    /// <summary>
    /// The wire form: start line, headers in order with Content-Length set to the body's length (replacing
    /// any Content-Length header in place, else added last), an empty line and the body.
    /// </summary>
    public byte[] ToBytes()
    {
        var sb = new StringBuilder(512);
        if (IsRequest)
        {
            sb.Append(_requestMethod).Append(' ').Append(RequestUri).Append(" SIP/2.0\r\n");
        }
        else
        {
            sb.Append("SIP/2.0 ").Append(StatusCode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrase).Append("\r\n");
        }

        string length = _body.Length.ToString(CultureInfo.InvariantCulture);
        bool wroteLength = false;
        foreach (KeyValuePair<string, string> h in Headers)
        {
            if (h.Key == SipHeaderNames.ContentLength)
            {
                if (!wroteLength)
                {
                    sb.Append(SipHeaderNames.ContentLength).Append(": ").Append(length).Append("\r\n");
                }

                wroteLength = true;
                continue;
            }

            sb.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
        }

        if (!wroteLength)
        {
            sb.Append(SipHeaderNames.ContentLength).Append(": ").Append(length).Append("\r\n");
        }

        sb.Append("\r\n");
        byte[] head = Encoding.UTF8.GetBytes(sb.ToString());
        byte[] wire = new byte[head.Length + _body.Length];
        head.CopyTo(wire, 0);
        _body.CopyTo(wire, head.Length);
        return wire;
    }

    /// <summary>The wire form as text (a binary body shows as UTF-8 with replacement characters), for logs.</summary>
    public override string ToString() => Encoding.UTF8.GetString(ToBytes());

    private void CopyFirst(SipMessage response, string name)
    {
        if (Headers.Get(name) is { } value)
        {
            response.Headers.Add(name, value);
        }
    }
}
