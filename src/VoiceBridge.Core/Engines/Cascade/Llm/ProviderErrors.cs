using System.Globalization;
using System.Text.Json;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>
/// Builds the <see cref="ChatProviderException"/> for a provider's HTTP error answer, with its
/// status, its own error message and its <c>Retry-After</c>: the SDKs' exceptions do not all carry
/// the headers, so the adapters under each SDK (<see cref="AnthropicErrorHandler"/>,
/// <see cref="OpenAiErrorPolicy"/>) call this before the SDK sees the response.
/// </summary>
internal static class ProviderErrors
{
    private const int MaxBodyChars = 2000;

    /// <summary>Longest Retry-After taken; a larger one (up to infinity, which parses as a double) is not understood.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    public static ChatProviderException CannotConnect(string provider, Uri? uri, Exception e) =>
        new(provider, ChatFailure.Unavailable, $"cannot reach {uri}: {e.Message}", e);

    /// <summary>The failure for an HTTP error answer; header values are as sent, or null.</summary>
    public static ChatProviderException FromStatus(
        string provider, int status, string? reason, string body, string? retryAfterMs, string? retryAfter, TimeProvider time)
    {
        var failure = status switch
        {
            429 => ChatFailure.RateLimited,
            408 or >= 500 => ChatFailure.Unavailable,
            _ => ChatFailure.Rejected,
        };
        return new ChatProviderException(provider, failure, $"HTTP {status} {reason}{ErrorMessage(body)}")
        {
            StatusCode = status,
            RetryAfter = RetryAfter(retryAfterMs, retryAfter, time),
        };
    }

    /// <summary>The provider's <c>error.message</c> (both providers nest it so), else the body's start.</summary>
    private static string ErrorMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return ": " + message.GetString();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON (or a message string with a lone surrogate escape): quoted below as it came.
        }

        return ": " + (body.Length > MaxBodyChars ? body[..MaxBodyChars] + "..." : body);
    }

    /// <summary><c>retry-after-ms</c> (OpenAI), else <c>Retry-After</c> as seconds or an HTTP date.</summary>
    internal static TimeSpan? RetryAfter(string? retryAfterMs, string? retryAfter, TimeProvider time)
    {
        if (double.TryParse(retryAfterMs, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0 && ms <= MaxRetryAfter.TotalMilliseconds)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds <= MaxRetryAfter.TotalSeconds)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParseExact(retryAfter, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
