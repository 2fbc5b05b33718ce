namespace VoiceBridge.Cli;

/// <summary>
/// <c>--urls</c> (or ASPNETCORE_URLS) checked before anything starts: each of its <c>;</c>-separated
/// URLs is http or https with a host and, if given, a port of 0-65535 (Kestrel's <c>*</c> and <c>+</c>
/// hosts included; a Unix socket or named pipe, <c>http://unix:/path</c>, as Kestrel takes it).
/// </summary>
internal static class ListenUrls
{
    public static IEnumerable<string> Problems(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (url.Contains("://unix:", StringComparison.OrdinalIgnoreCase) || url.Contains("://pipe:", StringComparison.OrdinalIgnoreCase))
            {
                // A Unix socket or a named pipe: Kestrel's own syntax, with a path by design.
                continue;
            }

            var checkable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(checkable, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                yield return $"--urls '{url}' is not an http:// or https:// URL with a host and a port of 0-65535 (e.g. http://127.0.0.1:8080)";
            }
            else if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                yield return $"--urls '{url}' has a path; Kestrel listens on a scheme, host and port only";
            }
        }
    }
}
