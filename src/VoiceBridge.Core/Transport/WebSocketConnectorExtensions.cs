using System.Net.WebSockets;

namespace VoiceBridge.Transport;

public static class WebSocketConnectorExtensions
{
    /// <summary>
    /// Connects within <paramref name="timeout"/>. Running out of time is a failed connection
    /// (<see cref="ConnectFailedException"/>), not a cancellation: callers treat a cancellation as
    /// "asked to stop" and would never learn that the provider did not answer. A cancellation by
    /// <paramref name="cancellationToken"/> or <paramref name="lifetime"/> stays one.
    /// </summary>
    public static async Task<WebSocket> ConnectWithinAsync(
        this IWebSocketConnector connector,
        Uri uri,
        IReadOnlyDictionary<string, string> headers,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken cancellationToken,
        CancellationToken lifetime = default)
    {
        using var connectTimeout = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectTimeout.Token, lifetime);
        try
        {
            return await connector.ConnectAsync(uri, headers, linked.Token);
        }
        catch (OperationCanceledException e) when (connectTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !lifetime.IsCancellationRequested)
        {
            throw new ConnectFailedException(uri, null, $"timed out after {timeout.TotalMilliseconds:0} ms waiting for the WebSocket upgrade", e);
        }
    }
}
