using System.Text;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Where the session description of a request is: its whole body (<c>application/sdp</c>), or the
/// <c>application/sdp</c> part of a multipart body (RFC 5621, RFC 2046 5.1), as SIP-I and SIP-T
/// gateways send it beside the call's ISUP. Other parts are ignored unless they say they must be
/// understood (<c>Content-Disposition: ...;handling=required</c>).
/// </summary>
internal static class SipBody
{
    /// <summary>What a 415 accepts, and OPTIONS answers.</summary>
    public const string Accepted = "application/sdp, multipart/mixed, multipart/alternative";

    /// <summary>
    /// The SDP in <paramref name="body"/> of type <paramref name="contentType"/>: <c>Status</c> 0 with the text,
    /// 415 when there is none we can take (or a part we cannot ignore), 400 when the multipart body is malformed;
    /// <c>Error</c> says which, for the response's reason phrase.
    /// </summary>
    public static (int Status, string? Sdp, string? Error) FindSdp(string? contentType, byte[] body)
    {
        var (type, boundary) = ParseContentType(contentType ?? "");
        if (type == "application/sdp")
        {
            return (0, Encoding.UTF8.GetString(body), null);
        }

        if (!type.StartsWith("multipart/", StringComparison.Ordinal))
        {
            return (415, null, $"a body of type {(type.Length == 0 ? "(none given)" : type)}, not application/sdp");
        }

        if (string.IsNullOrEmpty(boundary))
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
        while (true)
        {
            var afterDelimiter = at + delimiter.Length;
            if (string.CompareOrdinal(text, afterDelimiter, "--", 0, 2) == 0)
            {
                break;
            }

            var partStart = text.IndexOf('\n', afterDelimiter);
            var next = partStart < 0 ? -1 : FindDelimiter(text, delimiter, partStart + 1);
            if (next < 0)
            {
                return (400, null, $"{type} body not closed by --{boundary}--");
            }

            var (part, error) = ReadPart(body, text, partStart + 1, next);
            if (error is not null)
            {
                return (415, null, error);
            }

            sdp ??= part;
            at = next;
        }

        return sdp is null ? (415, null, $"{type} body without an application/sdp part") : (0, sdp, null);
    }

    /// <summary>The SDP of one part (or null for a part to ignore), or why the request cannot be taken.</summary>
    private static (string? Sdp, string? Error) ReadPart(byte[] body, string text, int start, int end)
    {
        // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 5.1.1).
        var before = text.AsSpan(0, end);
        end = before.EndsWith("\r\n", StringComparison.Ordinal) ? end - 2 : before.EndsWith("\n", StringComparison.Ordinal) ? end - 1 : end;
        string partType = "text/plain";
        string? disposition = null;
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

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? line : line[..colon].Trim();
            var value = colon < 0 ? "" : line[(colon + 1)..].Trim();
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                partType = ParseContentType(value).Type;
            }
            else if (name.Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase))
            {
                disposition = value;
            }
        }

        if (partType == "application/sdp")
        {
            return (Encoding.UTF8.GetString(body, i, Math.Max(0, end - i)), null);
        }

        var required = disposition is not null && disposition.Replace(" ", "", StringComparison.Ordinal).Contains(";handling=required", StringComparison.OrdinalIgnoreCase);
        return required ? (null, $"a part of type {partType} that must be understood (handling=required), which we do not") : (null, null);
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

    /// <summary>The media type (lower case, no parameters) and the boundary parameter, unquoted.</summary>
    private static (string Type, string? Boundary) ParseContentType(string value)
    {
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon < 0 ? value : value[..semicolon]).Trim().ToLowerInvariant();
        var at = semicolon < 0 ? -1 : value.IndexOf("boundary=", semicolon, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return (type, null);
        }

        var start = at + "boundary=".Length;
        if (start < value.Length && value[start] == '"')
        {
            var close = value.IndexOf('"', start + 1);
            return (type, close < 0 ? null : value[(start + 1)..close]);
        }

        var end = value.IndexOf(';', start);
        return (type, value[start..(end < 0 ? value.Length : end)].Trim());
    }
}
