using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Security;

/// <summary>What a bearer check decided: <see cref="Allowed"/>, else whether a token was presented and why it was refused.</summary>
public readonly record struct BearerVerdict(bool Allowed, bool Presented, string? Reason)
{
    public static BearerVerdict Allow { get; } = new(true, true, null);
}

/// <summary>
/// <c>Authorization: Bearer</c> for an HTTP surface (WHIP, the admin API): a static token, compared
/// as SHA-256 hashes in constant time, and/or a JWT checked by <see cref="JwtBearerValidator"/>
/// (with an optional required scope). Either one lets the request in, so a deployment can move
/// from a static token to JWTs without a flag day. With neither configured every request is let in.
/// </summary>
public sealed class BearerAuthenticator
{
    private readonly byte[]? _tokenHash;
    private readonly JwtBearerValidator? _jwt;
    private readonly string? _requiredScope;

    /// <param name="staticToken">The static token [none].</param>
    /// <param name="jwt">The JWT check [none].</param>
    /// <param name="requiredScope">A scope or role a JWT must carry [none]; the static token is not scoped.</param>
    public BearerAuthenticator(string? staticToken, JwtBearerValidator? jwt, string? requiredScope = null)
    {
        _tokenHash = string.IsNullOrEmpty(staticToken) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(staticToken));
        _jwt = jwt;
        _requiredScope = string.IsNullOrEmpty(requiredScope) ? null : requiredScope;
    }

    /// <summary>True when a token of some kind is required.</summary>
    public bool IsRequired => _tokenHash is not null || _jwt is not null;

    /// <summary>What is accepted, for the start-up log.</summary>
    public string Describe() => (_tokenHash, _jwt) switch
    {
        (null, null) => "none",
        (not null, null) => "static token",
        (null, { } jwt) => $"JWT ({jwt.KeyKind}{Scoped()})",
        (_, { } jwt) => $"static token or JWT ({jwt.KeyKind}{Scoped()})",
    };

    /// <summary>Checks the request's <c>Authorization</c> header value (null or empty: none).</summary>
    public async ValueTask<BearerVerdict> CheckAsync(string? authorization)
    {
        if (!IsRequired)
        {
            return BearerVerdict.Allow;
        }

        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return new BearerVerdict(false, false, "a bearer token is required");
        }

        string token = authorization[7..].Trim();
        // Both sides are hashed first, so the comparison takes the same time whatever the token's length or content.
        if (_tokenHash is not null && CryptographicOperations.FixedTimeEquals(_tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(token))))
        {
            return BearerVerdict.Allow;
        }

        if (_jwt is null)
        {
            return new BearerVerdict(false, true, "wrong bearer token");
        }

        string? problem = await _jwt.ProblemAsync(token, _requiredScope);
        return problem is null ? BearerVerdict.Allow : new BearerVerdict(false, true, problem);
    }

    private string Scoped() => _requiredScope is null ? "" : $", scope '{_requiredScope}'";
}
