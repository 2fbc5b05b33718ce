using System.Net.WebSockets;

namespace VoiceBridge.Transport;

/// <summary>Real sockets: <see cref="ClientWebSocket"/> with the upgrade status collected for failover reasons.</summary>
public sealed class SystemWebSocketConnector(TimeSpan keepAliveInterval, TimeSpan keepAliveTimeout) : IWebSocketConnector
{
    public async Task<WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.KeepAliveInterval = keepAliveInterval;
        if (keepAliveInterval > TimeSpan.Zero)
        {
            ws.Options.KeepAliveTimeout = keepAliveTimeout;
        }

        foreach (var (name, value) in headers)
        {
            ws.Options.SetRequestHeader(name, value);
        }

        try
        {
            await ws.ConnectAsync(uri, cancellationToken);
            return ws;
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
        {
            int? status = ws.HttpStatusCode == 0 ? null : (int)ws.HttpStatusCode;
            int? retryAfter = null;
            if (ws.HttpResponseHeaders is { } h && h.TryGetValue("Retry-After", out var values)
                && int.TryParse(values.FirstOrDefault(), out var seconds))
            {
                retryAfter = seconds;
            }

            ws.Dispose();
            var reason = status is { } s ? $"upgrade rejected with HTTP {s}" : e.Message;
            throw new ConnectFailedException(uri, status, reason, e) { RetryAfterSeconds = retryAfter };
        }
    }
}
