namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>How a chat provider failed; what the failover controller decides on.</summary>
public enum ChatFailure
{
    /// <summary>Cannot connect, or HTTP 5xx / 408, or an error event from the provider.</summary>
    Unavailable,

    /// <summary>HTTP 429; <see cref="ChatProviderException.RetryAfter"/> says how long, when the provider said.</summary>
    RateLimited,

    /// <summary>HTTP 4xx other than 408 and 429: our own request (or key) was refused.</summary>
    Rejected,

    /// <summary>The provider sent output its SDK could not parse (a bad SSE line or JSON).</summary>
    MalformedOutput,

    /// <summary>The connection broke while the response was streaming.</summary>
    ConnectionLost,

    /// <summary>The stream ended cleanly but before the response finished (no finish reason).</summary>
    Truncated,

    /// <summary>No update came within the first-update or update-gap timeout.</summary>
    Stalled,
}

/// <summary>
/// A chat provider failed. Every failure of a client made by <see cref="ChatClients"/> surfaces as
/// this, from the streaming enumeration, naming the provider and the problem.
/// </summary>
public sealed class ChatProviderException(string provider, ChatFailure failure, string message, Exception? inner = null)
    : Exception($"{provider}: {message}", inner)
{
    /// <summary>The provider's name ("openai", "anthropic").</summary>
    public string Provider { get; } = provider;

    public ChatFailure Failure { get; } = failure;

    /// <summary>The HTTP status, when the provider answered with one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The provider's <c>Retry-After</c> (or <c>retry-after-ms</c>), when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
