using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Hosting;

/// <summary>Who may use the admin API.</summary>
public enum AdminMode
{
    /// <summary>No token configured: the admin API is not served (404).</summary>
    Off,

    /// <summary>A bearer token is required.</summary>
    Token,

    /// <summary>No token, on purpose: only when the node listens on loopback alone.</summary>
    OpenOnLoopback,
}

/// <summary>
/// The admin API's access rule (docs/failover.md, "Fire drills"). Safe by default: with no token
/// (<c>--admin-token</c> or <c>VOICEBRIDGE_ADMIN_TOKEN</c>) the API is off, unless the operator
/// says <c>--admin-open</c> and every address the node listens on is loopback. A token is compared
/// as a SHA-256 hash in constant time; refusals are counted.
/// </summary>
public sealed class AdminAccess
{
    /// <summary>The shortest token taken: a guessable token on an API that breaks calls is refused at start-up.</summary>
    public const int MinTokenLength = 16;

    private readonly byte[]? _tokenHash;
    private long _refused;

    private AdminAccess(AdminMode mode, string? token)
    {
        Mode = mode;
        _tokenHash = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    public AdminMode Mode { get; }

    /// <summary>Requests refused for a missing or wrong token.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// The rule for <paramref name="token"/> (null or empty: none), <paramref name="open"/>
    /// (<c>--admin-open</c>) and the addresses the node listens on (<paramref name="urls"/>,
    /// separated by <c>;</c>); null with <paramref name="error"/> naming the problem.
    /// </summary>
    public static AdminAccess? Create(string? token, bool open, string urls, out string? error)
    {
        ArgumentNullException.ThrowIfNull(urls);
        error = null;
        if (!string.IsNullOrEmpty(token))
        {
            if (open)
            {
                error = "--admin-open is for a node with no admin token; with a token the API is already on";
                return null;
            }

            if (token.Length < MinTokenLength || token.Any(char.IsWhiteSpace))
            {
                error = $"the admin token (--admin-token or VOICEBRIDGE_ADMIN_TOKEN) must be at least {MinTokenLength} characters with no spaces";
                return null;
            }

            return new AdminAccess(AdminMode.Token, token);
        }

        if (!open)
        {
            return new AdminAccess(AdminMode.Off, null);
        }

        var remote = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(u => !IsLoopback(u)).ToList();
        if (remote.Count > 0)
        {
            error = $"--admin-open serves the admin API with no token, so only on loopback: {string.Join(", ", remote)} is not (listen on 127.0.0.1, or set --admin-token)";
            return null;
        }

        return new AdminAccess(AdminMode.OpenOnLoopback, null);
    }

    /// <summary>Whether <paramref name="authorization"/> (the request's header) lets the request in; null when it does, else why not.</summary>
    public string? Refusal(string? authorization)
    {
        if (Mode != AdminMode.Token)
        {
            return Mode == AdminMode.OpenOnLoopback ? null : "the admin API is off";
        }

        var bearer = authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        var given = bearer ? SHA256.HashData(Encoding.UTF8.GetBytes(authorization![7..].Trim())) : null;
        if (given is not null && CryptographicOperations.FixedTimeEquals(_tokenHash, given))
        {
            return null;
        }

        Interlocked.Increment(ref _refused);
        return bearer ? "wrong bearer token" : "a bearer token is required";
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
