namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Header names the layer knows: compact forms (RFC 3261 7.3.3 and the extensions that define one) map
/// to their long names, and known names get their usual spelling so that "cseq" and "CSeq" are one header.
/// Unknown names are kept as written.
/// </summary>
public static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string Contact = "Contact";
    public const string MaxForwards = "Max-Forwards";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string Timestamp = "Timestamp";

    private static readonly Dictionary<string, string> Compact = new(StringComparer.OrdinalIgnoreCase)
    {
        ["a"] = "Accept-Contact",
        ["b"] = "Referred-By",
        ["c"] = ContentType,
        ["d"] = "Request-Disposition",
        ["e"] = "Content-Encoding",
        ["f"] = From,
        ["i"] = CallId,
        ["j"] = "Reject-Contact",
        ["k"] = "Supported",
        ["l"] = ContentLength,
        ["m"] = Contact,
        ["o"] = "Event",
        ["r"] = "Refer-To",
        ["s"] = "Subject",
        ["t"] = To,
        ["u"] = "Allow-Events",
        ["v"] = Via,
        ["x"] = "Session-Expires",
        ["y"] = "Identity",
    };

    private static readonly Dictionary<string, string> Known = new(
        new[]
        {
            "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Allow-Events",
            "Authentication-Info", "Authorization", CallId, "Call-Info", Contact, "Content-Disposition", "Content-Encoding",
            "Content-Language", ContentLength, ContentType, CSeq, "Date", "Error-Info", "Event", "Expires", From, "Identity",
            "In-Reply-To", MaxForwards, "Min-Expires", "Min-SE", "MIME-Version", "Organization", "P-Asserted-Identity",
            "Priority", "Privacy", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Require", "RAck", "Reason",
            RecordRoute, "Refer-To", "Referred-By", "Reject-Contact", "Reply-To", "Request-Disposition", "Require",
            "Retry-After", Route, "RSeq", "Server", "Session-Expires", "Subject", "Subscription-State", "Supported",
            Timestamp, To, "Unsupported", "User-Agent", Via, "Warning", "WWW-Authenticate",
        }.ToDictionary(n => n, StringComparer.OrdinalIgnoreCase),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>The long, conventionally spelled name for <paramref name="name"/>.</summary>
    public static string Normalize(string name) =>
        Compact.TryGetValue(name, out string? full) ? full
        : Known.TryGetValue(name, out string? known) ? known
        : name;
}
