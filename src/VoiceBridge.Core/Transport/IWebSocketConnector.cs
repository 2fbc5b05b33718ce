using System.Net.WebSockets;

namespace VoiceBridge.Transport;

/// <summary>
/// Opens client WebSockets. Protocol clients depend on this, never on a concrete socket, so the
/// same client runs over real TCP (<see cref="SystemWebSocketConnector"/>) or over in-memory
/// pipes on virtual time (<see cref="InMemoryNetwork"/>).
/// </summary>
public interface IWebSocketConnector
{
    /// <summary>Connects, or throws <see cref="ConnectFailedException"/> naming the cause.</summary>
    Task<WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken);
}

/// <summary>A connection attempt failed: refused, upgrade rejected (with the HTTP status), or timed out.</summary>
public sealed class ConnectFailedException(Uri uri, int? httpStatus, string reason, Exception? inner = null)
    : Exception($"connecting to {uri} failed: {reason}", inner)
{
    public Uri Uri { get; } = uri;

    /// <summary>The HTTP status of a rejected upgrade (429, 5xx...), if one was received.</summary>
    public int? HttpStatus { get; } = httpStatus;

    /// <summary>Seconds from a Retry-After header, when the server sent one.</summary>
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>What a WebSocket server handler learns of the upgrade request.</summary>
public sealed record WebSocketRequest(Uri Uri, IReadOnlyDictionary<string, string> Headers);

/// <summary>A server turning a connection away: refused (no status), or an HTTP status such as 503 or 429.</summary>
public sealed record ConnectRejection(int? Status, int? RetryAfterSeconds = null);
