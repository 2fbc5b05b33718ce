using System.Text;
using VoiceBridge.Legs.Sip.Sdp;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Where the session description of a request is: its whole body (<c>application/sdp</c>), or the
/// <c>application/sdp</c> part of a multipart body (RFC 5621, RFC 2046 5.1), as SIP-I and SIP-T
/// gateways send it beside the call's ISUP, one multipart inside another included. Other parts are
/// ignored unless they say they must be understood (<c>Content-Disposition: ...;handling=required</c>).
/// </summary>
internal static class SipBody
{
    /// <summary>What a 415 accepts, and OPTIONS answers.</summary>
    public const string Accepted = "application/sdp, multipart/mixed, multipart/alternative";

    /// <summary>Multipart bodies inside multipart bodies looked into (RFC 5621 allows nesting).</summary>
    private const int MaxDepth = 3;

    /// <summary>
    /// The SDP in <paramref name="body"/> of type <paramref name="contentType"/>: <c>Status</c> 0 with the text,
    /// 415 when there is none we can take (or a part we cannot ignore), 400 when the multipart body is malformed;
    /// <c>Error</c> says which, for the response's reason phrase.
    /// </summary>
    public static (int Status, string? Sdp, string? Error) FindSdp(string? contentType, byte[] body) => Find(contentType ?? "", body, 1);

    /// <summary>
    /// The session description of <paramref name="message"/>, found (<see cref="FindSdp"/>) and parsed:
    /// <c>Status</c> 0 with it, else 415 or 400 (a malformed description among them) and why.
    /// </summary>
    public static (int Status, SdpSession? Sdp, string? Error) ReadSdp(SipMessage message)
    {
        var (status, text, error) = FindSdp(message.Headers.Get("Content-Type"), message.Body);
        if (status != 0)
        {
            return (status, null, error);
        }

        return SdpSession.TryParse(text!, out var sdp, out var malformed) ? (0, sdp, null) : (400, null, "malformed SDP: " + malformed);
    }

    private static (int Status, string? Sdp, string? Error) Find(string contentType, byte[] body, int depth)
    {
        var (type, parameters) = ParseContentType(contentType);
        if (type == "application/sdp")
        {
            return (0, Encoding.UTF8.GetString(body), null);
        }

        if (!type.StartsWith("multipart/", StringComparison.Ordinal) || depth > MaxDepth)
        {
            return (415, null, $"a body of type {(type.Length == 0 ? "(none given)" : type)}, not application/sdp");
        }

        if (parameters.GetValueOrDefault("boundary") is not { Length: > 0 } boundary)
        {
            return (400, null, $"{type} without a boundary parameter");
        }

        // Latin-1 keeps one char per byte, so a binary part (ISUP) cannot break the search and the
        // SDP part is decoded from its own bytes.
        var text = Encoding.Latin1.GetString(body);
        var delimiter = "--" + boundary;
        var at = FindDelimiter(text, delimiter, 0);
        if (at < 0)
        {
            return (400, null, $"{type} body without its boundary {boundary}");
        }

        string? sdp = null;
        while (string.CompareOrdinal(text, at + delimiter.Length, "--", 0, 2) != 0)
        {
            var partStart = text.IndexOf('\n', at + delimiter.Length);
            var next = partStart < 0 ? -1 : FindDelimiter(text, delimiter, partStart + 1);
            if (next < 0)
            {
                return (400, null, $"{type} body not closed by --{boundary}--");
            }

            var part = ReadPart(body, text, partStart + 1, next, depth);
            if (part.Status != 0)
            {
                return part;
            }

            sdp ??= part.Sdp;
            at = next;
        }

        return sdp is null ? (415, null, $"{type} body without an application/sdp part") : (0, sdp, null);
    }

    /// <summary>The SDP of one part (null for a part to ignore), or why the request cannot be taken.</summary>
    private static (int Status, string? Sdp, string? Error) ReadPart(byte[] body, string text, int start, int end, int depth)
    {
        // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 5.1.1).
        var before = text.AsSpan(0, end);
        end = before.EndsWith("\r\n", StringComparison.Ordinal) ? end - 2 : before.EndsWith("\n", StringComparison.Ordinal) ? end - 1 : end;
        var (headers, bodyStart) = ReadHeaders(text, start, end);
        var partType = headers.GetValueOrDefault("content-type") ?? "text/plain";
        var type = ParseContentType(partType).Type;
        var bytes = body.AsSpan(bodyStart, Math.Max(0, end - bodyStart));
        if (type == "application/sdp")
        {
            return headers.GetValueOrDefault("content-transfer-encoding")?.ToLowerInvariant() switch
            {
                null or "7bit" or "8bit" or "binary" => (0, Encoding.UTF8.GetString(bytes), null),
                "base64" => TryBase64(bytes, out var sdp) ? (0, sdp, null) : (400, null, "an application/sdp part whose base64 does not decode"),
                var other => (415, null, $"an application/sdp part in transfer encoding {other}"),
            };
        }

        if (type.StartsWith("multipart/", StringComparison.Ordinal) && depth < MaxDepth)
        {
            var inner = Find(partType, bytes.ToArray(), depth + 1);
            return inner.Status == 415 ? (0, null, null) : inner;
        }

        var disposition = headers.GetValueOrDefault("content-disposition");
        var required = disposition is not null && disposition.Replace(" ", "", StringComparison.Ordinal).Contains(";handling=required", StringComparison.OrdinalIgnoreCase);
        return required ? (415, null, $"a part of type {type} that must be understood (handling=required), which we do not") : (0, null, null);
    }

    /// <summary>A part's headers (names lower case, folded lines joined) and where its body starts.</summary>
    private static (Dictionary<string, string> Headers, int BodyStart) ReadHeaders(string text, int start, int end)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? last = null;
        var i = start;
        while (i < end)
        {
            var lineEnd = text.IndexOf('\n', i, end - i);
            var line = text[i..(lineEnd < 0 ? end : lineEnd)].TrimEnd('\r');
            i = lineEnd < 0 ? end : lineEnd + 1;
            if (line.Length == 0)
            {
                break;
            }

            if (line[0] is ' ' or '\t' && last is not null)
            {
                headers[last] += " " + line.Trim();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            last = (colon < 0 ? line : line[..colon]).Trim().ToLowerInvariant();
            headers[last] = colon < 0 ? "" : line[(colon + 1)..].Trim();
        }

        return (headers, i);
    }

    private static bool TryBase64(ReadOnlySpan<byte> encoded, out string sdp)
    {
        var compact = Encoding.ASCII.GetString(encoded).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        var decoded = new byte[compact.Length];
        var ok = Convert.TryFromBase64String(compact, decoded, out var written);
        sdp = ok ? Encoding.UTF8.GetString(decoded, 0, written) : "";
        return ok;
    }

    /// <summary>The next delimiter line at or after <paramref name="from"/>: at the body's start or a line's.</summary>
    private static int FindDelimiter(string text, string delimiter, int from)
    {
        for (var at = text.IndexOf(delimiter, from, StringComparison.Ordinal); at >= 0; at = text.IndexOf(delimiter, at + 1, StringComparison.Ordinal))
        {
            if (at == 0 || text[at - 1] == '\n')
            {
                return at;
            }
        }

        return -1;
    }

    /// <summary>
    /// The media type (lower case) and its parameters (names lower case, quoted values unquoted), read
    /// as RFC 3261 writes them: <c>type/subtype *( ; name = token-or-quoted-string )</c>, blanks allowed
    /// around <c>;</c> and <c>=</c>.
    /// </summary>
    private static (string Type, Dictionary<string, string> Parameters) ParseContentType(string value)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon < 0 ? value : value[..semicolon]).Trim().ToLowerInvariant();
        var i = semicolon;
        while (i >= 0 && i < value.Length)
        {
            var eq = value.IndexOf('=', i + 1);
            var nextSemicolon = value.IndexOf(';', i + 1);
            if (eq < 0 || (nextSemicolon >= 0 && nextSemicolon < eq))
            {
                i = nextSemicolon;
                continue;
            }

            var name = value[(i + 1)..eq].Trim().ToLowerInvariant();
            var v = eq + 1;
            while (v < value.Length && value[v] is ' ' or '\t')
            {
                v++;
            }

            string parameter;
            if (v < value.Length && value[v] == '"')
            {
                var close = value.IndexOf('"', v + 1);
                parameter = close < 0 ? value[(v + 1)..] : value[(v + 1)..close];
                i = close < 0 ? -1 : value.IndexOf(';', close + 1);
            }
            else
            {
                var stop = value.IndexOf(';', v);
                parameter = value[v..(stop < 0 ? value.Length : stop)].Trim();
                i = stop;
            }

            parameters.TryAdd(name, parameter);
        }

        return (type, parameters);
    }
}
