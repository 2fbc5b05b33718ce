using VoiceBridge.Security;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>WHIP endpoint settings, bound from the <c>Whip</c> configuration section.</summary>
public sealed class WhipOptions
{
    public const string SectionName = "Whip";

    /// <summary>The endpoint path; sessions live under it as <c>{Path}/{id}</c>. Default <c>/whip</c>.</summary>
    public string Path { get; set; } = "/whip";

    /// <summary>
    /// When set, POST and DELETE need <c>Authorization: Bearer</c> with this token (RFC 9725 section 4.5);
    /// null or empty leaves the endpoint open, which only suits loopback and tests.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>
    /// When set, a JWT this validator accepts is as good as <see cref="BearerToken"/> (<c>--jwt-key</c>);
    /// with no static token, POST and DELETE then need a JWT.
    /// </summary>
    public JwtBearerValidator? Jwt { get; set; }

    /// <summary>
    /// The <c>Access-Control-Allow-Origin</c> value (an origin such as <c>https://app.example.com</c>, or
    /// <c>*</c>). Null (the default) sends <c>*</c> only to requests that reached a loopback address and
    /// came through no proxy (none of the headers proxies add: <c>Forwarded</c>, <c>X-Forwarded-*</c>,
    /// <c>X-Real-IP</c>), so a page served from anywhere can try a local bridge; a public one names its
    /// origin explicitly, and must behind any proxy that adds none of them (a TCP or TLS tunnel).
    /// </summary>
    public string? AllowedOrigin { get; set; }

    /// <summary>The largest offer accepted, in bytes (413 beyond). Default 64 KiB: a browser offer with video is about 7 KiB.</summary>
    public int MaxOfferBytes { get; set; } = 64 * 1024;

    /// <summary>Every configuration problem, each naming its key; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(Path) || !Path.StartsWith('/') || Path.EndsWith('/') || Path.Contains('{', StringComparison.Ordinal))
        {
            errors.Add($"{SectionName}:{nameof(Path)} '{Path}' must start with '/', not end with '/', and hold no route parameters");
        }

        if (!string.IsNullOrEmpty(BearerToken) && (string.IsNullOrWhiteSpace(BearerToken) || BearerToken.Any(char.IsWhiteSpace)))
        {
            errors.Add($"{SectionName}:{nameof(BearerToken)} must not contain whitespace");
        }

        if (AllowedOrigin is { } origin && origin != "*"
            && !(Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri) && uri.GetLeftPart(UriPartial.Authority) == origin))
        {
            errors.Add($"{SectionName}:{nameof(AllowedOrigin)} '{origin}' must be '*' or an origin such as https://app.example.com (scheme, host, optional port, no path)");
        }

        if (MaxOfferBytes is < 1024 or > 1024 * 1024)
        {
            errors.Add($"{SectionName}:{nameof(MaxOfferBytes)} {MaxOfferBytes} must be from 1024 to 1048576");
        }

        return errors;
    }
}
