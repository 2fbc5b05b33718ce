using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace VoiceBridge.Transport;

/// <summary>
/// WebSocket servers and clients joined by in-memory pipes carrying real WebSocket frames
/// (RFC 6455 framing by <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>).
/// Servers register by authority (host:port); connecting to an unregistered one is refused, like TCP.
/// </summary>
public sealed class InMemoryNetwork : IWebSocketConnector
{
    private readonly ConcurrentDictionary<string, Func<WebSocket, WebSocketRequest, Task>> _servers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Func<ConnectRejection?>> _admissions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentBag<Task> _serverTasks = [];

    /// <summary>
    /// Registers a server; the handler owns the socket until its task completes. <paramref name="admit"/>
    /// may turn a connection away before the upgrade, as a failing provider does.
    /// </summary>
    public void Listen(string authority, Func<WebSocket, WebSocketRequest, Task> handler, Func<ConnectRejection?>? admit = null)
    {
        _servers[authority] = handler;
        if (admit is not null)
        {
            _admissions[authority] = admit;
        }
    }

    public void Unlisten(string authority) => _servers.TryRemove(authority, out _);

    /// <summary>Tasks of every server handler started so far (faults surface here).</summary>
    public IReadOnlyCollection<Task> ServerTasks => _serverTasks;

    public Task<WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_servers.TryGetValue(uri.Authority, out var handler))
        {
            throw new ConnectFailedException(uri, null, "connection refused (no in-memory server listening)");
        }

        if (_admissions.TryGetValue(uri.Authority, out var admit) && admit() is { } rejection)
        {
            throw rejection.Status is { } status
                ? new ConnectFailedException(uri, status, $"upgrade rejected with HTTP {status}") { RetryAfterSeconds = rejection.RetryAfterSeconds }
                : new ConnectFailedException(uri, null, "connection refused");
        }

        var (clientStream, serverStream) = DuplexPipeStream.CreatePair();
        var client = WebSocket.CreateFromStream(clientStream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var server = WebSocket.CreateFromStream(serverStream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        _serverTasks.Add(RunServerAsync(handler, server, new WebSocketRequest(uri, headers)));
        return Task.FromResult(client);
    }

    private static async Task RunServerAsync(Func<WebSocket, WebSocketRequest, Task> handler, WebSocket socket, WebSocketRequest request)
    {
        using (socket)
        {
            await handler(socket, request);
        }
    }
}
