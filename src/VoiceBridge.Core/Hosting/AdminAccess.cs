using System.Net;
using VoiceBridge.Operations;
using VoiceBridge.Security;

namespace VoiceBridge.Hosting;

/// <summary>Who may use the admin API.</summary>
public enum AdminMode
{
    /// <summary>No token configured: the admin API is not served (404).</summary>
    Off,

    /// <summary>A bearer token is required: the static token, or a JWT when <c>--jwt-key</c> is set.</summary>
    Token,

    /// <summary>No token, on purpose: only when the node listens on loopback alone.</summary>
    OpenOnLoopback,
}

/// <summary>
/// The admin API's access rule (docs/failover.md, "Fire drills"). Safe by default: with no token
/// (<c>--admin-token</c> or <c>VOICEBRIDGE_ADMIN_TOKEN</c>) the API is off, unless the operator
/// says <c>--admin-open</c> and every address the node listens on is loopback. A token is compared
/// as a SHA-256 hash in constant time; a JWT (<c>--jwt-key</c>) is as good, when it carries the
/// required scope if one is set. Refusals are counted, here and in <see cref="Rejections"/>.
/// </summary>
public sealed class AdminAccess
{
    /// <summary>The shortest token taken: a guessable token on an API that breaks calls is refused at start-up.</summary>
    public const int MinTokenLength = 16;

    private readonly BearerAuthenticator _bearer;
    private long _refused;

    private AdminAccess(AdminMode mode, BearerAuthenticator bearer)
    {
        Mode = mode;
        _bearer = bearer;
    }

    public AdminMode Mode { get; }

    /// <summary>Requests refused for a missing or wrong token.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>What is accepted, for the start-up log (never a secret).</summary>
    public string Accepts => _bearer.Describe();

    /// <summary>
    /// The rule for <paramref name="token"/> (null or empty: none), <paramref name="open"/>
    /// (<c>--admin-open</c>) and the addresses the node listens on (<paramref name="urls"/>,
    /// separated by <c>;</c>); null with <paramref name="error"/> naming the problem. With
    /// <paramref name="jwt"/> a JWT is accepted too (carrying <paramref name="requiredScope"/> when set),
    /// and turns the API on without a static token.
    /// </summary>
    public static AdminAccess? Create(string? token, bool open, string urls, out string? error, JwtBearerValidator? jwt = null, string? requiredScope = null)
    {
        ArgumentNullException.ThrowIfNull(urls);
        error = null;
        if (!string.IsNullOrEmpty(token) || jwt is not null)
        {
            if (open)
            {
                error = "--admin-open is for a node with no admin token or --jwt-key; with one the API is already on";
                return null;
            }

            if (!string.IsNullOrEmpty(token) && (token.Length < MinTokenLength || token.Any(char.IsWhiteSpace)))
            {
                error = $"the admin token (--admin-token or VOICEBRIDGE_ADMIN_TOKEN) must be at least {MinTokenLength} characters with no spaces";
                return null;
            }

            return new AdminAccess(AdminMode.Token, new BearerAuthenticator(token, jwt, requiredScope));
        }

        if (!open)
        {
            return new AdminAccess(AdminMode.Off, new BearerAuthenticator(null, null));
        }

        var remote = ListenUrls.Split(urls).Where(u => !ListenUrls.IsLoopback(u)).ToList();
        if (remote.Count > 0)
        {
            error = $"--admin-open serves the admin API with no token, so only on loopback: {string.Join(", ", remote)} is not (listen on 127.0.0.1, or set --admin-token)";
            return null;
        }

        return new AdminAccess(AdminMode.OpenOnLoopback, new BearerAuthenticator(null, null));
    }

    /// <summary>Whether <paramref name="authorization"/> (the request's header) lets the request in: allowed, or why not.</summary>
    public async ValueTask<BearerVerdict> CheckAsync(string? authorization)
    {
        if (Mode != AdminMode.Token)
        {
            return Mode == AdminMode.OpenOnLoopback ? BearerVerdict.Allow : new BearerVerdict(false, false, "the admin API is off");
        }

        var verdict = await _bearer.CheckAsync(authorization);
        if (!verdict.Allowed)
        {
            Interlocked.Increment(ref _refused);
            Rejections.Count(Rejections.AdminAuth);
        }

        return verdict;
    }
}
