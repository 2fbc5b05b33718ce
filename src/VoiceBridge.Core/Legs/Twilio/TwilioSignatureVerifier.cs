using global::Twilio.Security;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Checks <c>X-Twilio-Signature</c> with the Twilio SDK's <see cref="RequestValidator"/>. The signed URL is
/// <see cref="TwilioOptions.PublicBaseUrl"/> (trailing '/' dropped) followed by the request's path and query,
/// with the scheme as configured for webhooks (<see cref="IsValid"/>) or mapped http→ws, https→wss for the
/// Media Streams WebSocket upgrade (<see cref="IsValidWebSocket"/>), and each either with or without an explicit
/// default port (:443, :80); the SDK also tries each with any port removed. Never the request's own Host, never
/// the other scheme. Thread-safe.
/// </summary>
public sealed class TwilioSignatureVerifier
{
    private readonly string? _authToken;
    private readonly string[] _httpBases;
    private readonly string[] _webSocketBases;

    /// <exception cref="ArgumentException">The options fail <see cref="TwilioOptions.Validate"/>.</exception>
    public TwilioSignatureVerifier(TwilioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _authToken = string.IsNullOrEmpty(options.AuthToken) ? null : options.AuthToken;
        string? baseUrl = TwilioPublicUrl.Base(options);
        _httpBases = baseUrl is null ? [] : TwilioPublicUrl.WithAndWithoutDefaultPort(baseUrl);
        _webSocketBases = baseUrl is null ? [] : TwilioPublicUrl.WithAndWithoutDefaultPort(TwilioPublicUrl.ToWebSocket(baseUrl));
    }

    /// <summary>True when an auth token is configured; without one every check fails.</summary>
    public bool IsEnabled => _authToken is not null;

    /// <summary>
    /// Checks a webhook request. <paramref name="pathAndQuery"/> starts with '/'. A form parameter named twice
    /// fails the check (the SDK signs one value per name).
    /// </summary>
    public bool IsValid(string pathAndQuery, IEnumerable<KeyValuePair<string, string>> formParams, string? signatureHeader)
    {
        ArgumentNullException.ThrowIfNull(formParams);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, string value) in formParams)
        {
            if (!parameters.TryAdd(name, value))
            {
                return false;
            }
        }

        return Check(_httpBases, pathAndQuery, parameters, signatureHeader);
    }

    /// <summary>Checks the Media Streams WebSocket upgrade, which Twilio signs over the ws(s) URL with no parameters.</summary>
    public bool IsValidWebSocket(string pathAndQuery, string? signatureHeader) =>
        Check(_webSocketBases, pathAndQuery, new Dictionary<string, string>(), signatureHeader);

    private bool Check(string[] bases, string pathAndQuery, Dictionary<string, string> parameters, string? signature)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        if (!pathAndQuery.StartsWith('/'))
        {
            throw new ArgumentException($"'{pathAndQuery}' must start with '/'.", nameof(pathAndQuery));
        }

        if (_authToken is null || string.IsNullOrEmpty(signature))
        {
            return false;
        }

        // RequestValidator holds a non-thread-safe HMAC, so each check gets its own.
        var validator = new RequestValidator(_authToken);
        return bases.Any(baseUrl => validator.Validate(baseUrl + pathAndQuery, parameters, signature));
    }
}
