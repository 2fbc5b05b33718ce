using Microsoft.AspNetCore.Http;

namespace VoiceBridge.Legs.Twilio;

/// <summary>Builds the public URLs Twilio calls and signs from <see cref="TwilioOptions.PublicBaseUrl"/>.</summary>
internal static class TwilioPublicUrl
{
    /// <summary>The validated base URL without its trailing slash, or null when not configured.</summary>
    public static string? Base(TwilioOptions options) =>
        string.IsNullOrEmpty(options.PublicBaseUrl) ? null : options.PublicBaseUrl.TrimEnd('/');

    /// <summary>Maps <c>http://</c> to <c>ws://</c> and <c>https://</c> to <c>wss://</c>.</summary>
    public static string ToWebSocket(string httpUrl) =>
        httpUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase) ? "wss" + httpUrl[5..] : "ws" + httpUrl[4..];

    /// <summary>The request's path (re-escaped) and raw query, i.e. what follows the public base URL.</summary>
    public static string PathAndQuery(HttpRequest request) =>
        request.Path.ToUriComponent() + request.QueryString.ToUriComponent();

    /// <summary>
    /// The base URL as given, plus the same URL with its default port (:443 for https/wss, :80 for http/ws)
    /// added or removed, since Twilio may sign either form.
    /// </summary>
    public static string[] WithAndWithoutDefaultPort(string baseUrl)
    {
        int hostStart = baseUrl.IndexOf("://", StringComparison.Ordinal) + 3;
        int pathStart = baseUrl.IndexOf('/', hostStart) is var slash and >= 0 ? slash : baseUrl.Length;
        string authority = baseUrl[hostStart..pathStart];
        int colon = authority.LastIndexOf(':');
        bool hasPort = colon > authority.LastIndexOf(']');
        string scheme = baseUrl[..(hostStart - 3)].ToLowerInvariant();
        string defaultPort = scheme is "https" or "wss" ? "443" : "80";
        if (hasPort && authority[(colon + 1)..] != defaultPort)
        {
            return [baseUrl];
        }

        string withoutPort = baseUrl[..hostStart] + (hasPort ? authority[..colon] : authority) + baseUrl[pathStart..];
        string withPort = baseUrl[..hostStart] + (hasPort ? authority[..colon] : authority) + ":" + defaultPort + baseUrl[pathStart..];
        return hasPort ? [baseUrl, withoutPort] : [baseUrl, withPort];
    }
}
