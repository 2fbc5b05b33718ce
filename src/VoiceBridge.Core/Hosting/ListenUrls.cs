using System.Net;

namespace VoiceBridge.Hosting;

/// <summary>
/// Kestrel's listen URLs (<c>--urls</c>, ASPNETCORE_URLS): a <c>;</c>-separated list of http or https
/// URLs with a host and, if given, a port of 0-65535 (Kestrel's <c>*</c> and <c>+</c> hosts for every
/// address; a Unix socket or named pipe, <c>http://unix:/path</c>, as Kestrel takes it). Read once here
/// for serve's start-up check, the admin API's loopback rule and the exposure warnings.
/// </summary>
public static class ListenUrls
{
    /// <summary>The URLs of the list.</summary>
    public static string[] Split(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Whether <paramref name="url"/> listens on loopback only (<c>*</c>, <c>+</c> and sockets do not count).</summary>
    public static bool IsLoopback(string url) =>
        TryParse(url, out var uri) && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    /// <summary>What is wrong with each URL of <paramref name="urls"/> Kestrel could not listen on, naming it.</summary>
    public static IEnumerable<string> Problems(string urls)
    {
        foreach (var url in Split(urls))
        {
            if (IsSocket(url))
            {
                // A Unix socket or a named pipe: Kestrel's own syntax, with a path by design.
                continue;
            }

            if (!TryParse(url, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                yield return $"--urls '{url}' is not an http:// or https:// URL with a host and a port of 0-65535 (e.g. http://127.0.0.1:8080)";
            }
            else if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                yield return $"--urls '{url}' has a path; Kestrel listens on a scheme, host and port only";
            }
        }
    }

    private static bool IsSocket(string url) =>
        url.Contains("://unix:", StringComparison.OrdinalIgnoreCase) || url.Contains("://pipe:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL as a <see cref="Uri"/>, Kestrel's every-address hosts read as 0.0.0.0; false for a socket or what does not parse.</summary>
    private static bool TryParse(string url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri)
    {
        uri = null;
        return !IsSocket(url)
            && Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out uri);
    }
}
