using System.Security.Cryptography;
using System.Text;
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

    /// <summary>The stream parameter carrying <see cref="StreamToken"/>.</summary>
    public const string StreamTokenParameter = "VoiceBridgeStreamToken";

    /// <summary>True when an auth token is configured; without one every check fails.</summary>
    public bool IsEnabled => _authToken is not null;

    /// <summary>
    /// The token our TwiML gives the stream of call <paramref name="callSid"/> (HMAC-SHA256 of the
    /// CallSid under the auth token, base64url), or null without a token or a CallSid. Twilio signs the
    /// media upgrade over the bare URL, the same for every call: one leaked upgrade signature would
    /// open any number of streams, and name any CallSid to take up its conversation on resume. A stream
    /// must also show the token of the call it names, which only a signed webhook hands out.
    /// </summary>
    public string? StreamToken(string? callSid) =>
        _authToken is null || string.IsNullOrEmpty(callSid)
            ? null
            : Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_authToken), Encoding.UTF8.GetBytes("voicebridge-stream\n" + callSid)))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether a stream's start shows the token of the call it names; always true without an auth token.</summary>
    public bool IsIssuedStream(string? callSid, string? token) =>
        _authToken is null
        || (StreamToken(callSid) is { } expected && token is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(token)));

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
