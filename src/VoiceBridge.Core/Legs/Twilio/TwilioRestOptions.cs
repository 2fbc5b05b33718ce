namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Credentials for Twilio's REST API, which moves a live call (a transfer): the account SID and
/// auth token (<c>TWILIO_ACCOUNT_SID</c>, <c>TWILIO_AUTH_TOKEN</c>), and the API's base URL
/// (<c>TWILIO_API_BASE_URL</c>; default <c>https://api.twilio.com</c>; tests and replays point it
/// at a fake).
/// </summary>
public sealed class TwilioRestOptions
{
    public const string DefaultApiBaseUrl = "https://api.twilio.com";

    public string? AccountSid { get; set; }

    public string? AuthToken { get; set; }

    /// <summary>Where the SDK's requests go instead of <see cref="DefaultApiBaseUrl"/> [none: Twilio itself].</summary>
    public Uri? ApiBaseUrl { get; set; }

    /// <summary>How long one REST request may take [10 s].</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccountSid) && !string.IsNullOrWhiteSpace(AuthToken);

    private string? _badApiBaseUrl;

    /// <summary>From <c>TWILIO_ACCOUNT_SID</c>, <c>TWILIO_AUTH_TOKEN</c> and <c>TWILIO_API_BASE_URL</c>.</summary>
    public static TwilioRestOptions FromEnvironment(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var baseUrl = env("TWILIO_API_BASE_URL");
        var options = new TwilioRestOptions { AccountSid = env("TWILIO_ACCOUNT_SID"), AuthToken = env("TWILIO_AUTH_TOKEN") };
        if (!string.IsNullOrWhiteSpace(baseUrl))
        {
            if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var u))
            {
                options.ApiBaseUrl = u;
            }
            else
            {
                options._badApiBaseUrl = baseUrl;
            }
        }

        return options;
    }

    /// <summary>Every configuration problem, each naming its variable; empty when usable or not configured at all.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (_badApiBaseUrl is not null)
        {
            errors.Add($"TWILIO_API_BASE_URL '{_badApiBaseUrl}' is not an absolute URL");
        }

        if (!string.IsNullOrWhiteSpace(AccountSid) && !AccountSid.StartsWith("AC", StringComparison.Ordinal))
        {
            errors.Add($"TWILIO_ACCOUNT_SID '{AccountSid}' must start with AC");
        }

        if (!string.IsNullOrWhiteSpace(AccountSid) && string.IsNullOrWhiteSpace(AuthToken))
        {
            errors.Add("TWILIO_AUTH_TOKEN is required with TWILIO_ACCOUNT_SID");
        }

        if (ApiBaseUrl is { } u && (u.Scheme is not ("http" or "https") || u.Query.Length > 0 || u.Fragment.Length > 0))
        {
            errors.Add($"TWILIO_API_BASE_URL '{u}' must be an http or https URL without query or fragment");
        }

        return errors;
    }
}
