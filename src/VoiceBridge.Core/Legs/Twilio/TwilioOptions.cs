namespace VoiceBridge.Legs.Twilio;

/// <summary>Twilio leg settings, bound from the <c>Twilio</c> configuration section.</summary>
public sealed class TwilioOptions
{
    public const string SectionName = "Twilio";

    /// <summary>
    /// The account's auth token. When set, the voice webhook and the media WebSocket upgrade must carry a
    /// valid <c>X-Twilio-Signature</c>; null or empty turns verification off.
    /// </summary>
    public string? AuthToken { get; set; }

    /// <summary>
    /// The public URL of this application's root as Twilio calls it, e.g. <c>https://bridge.example.com</c>
    /// (a path prefix is allowed). Signatures cover this URL, and the TwiML stream URL is built from it.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Every configuration problem, each naming its key; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!string.IsNullOrEmpty(AuthToken) && string.IsNullOrWhiteSpace(AuthToken))
        {
            errors.Add($"{SectionName}:{nameof(AuthToken)} is blank");
        }

        if (string.IsNullOrEmpty(PublicBaseUrl))
        {
            if (!string.IsNullOrEmpty(AuthToken))
            {
                errors.Add($"{SectionName}:{nameof(PublicBaseUrl)} is required when {SectionName}:{nameof(AuthToken)} is set, because Twilio signs the public URL");
            }
        }
        else if (!IsBaseUrl(PublicBaseUrl))
        {
            errors.Add($"{SectionName}:{nameof(PublicBaseUrl)} '{PublicBaseUrl}' must be an absolute http or https URL without user info, query or fragment");
        }

        return errors;
    }

    private static bool IsBaseUrl(string url) =>
        url == url.Trim()
        && Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0
        && uri.UserInfo.Length == 0
        && uri.Query.Length == 0
        && uri.Fragment.Length == 0;
}
