using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>One whole text message seen on the wire, with its <c>type</c> when it is a JSON object that has one.</summary>
internal sealed record WireMessage(string Json)
{
    public string? Type { get; } = TypeOf(Json);

    public JsonElement Root
    {
        get
        {
            using var doc = JsonDocument.Parse(Json);
            return doc.RootElement.Clone();
        }
    }

    private static string? TypeOf(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// A connector that wraps another and records every whole text message the client sends and
/// receives, so a test can see what the provider answered to client events the engine does not
/// surface (e.g. <c>conversation.item.truncated</c>). The bytes pass through untouched.
/// </summary>
internal sealed class WireTap(IWebSocketConnector inner) : IWebSocketConnector
{
    private readonly AwaitableLog<WireMessage> _received = new(m => m.Type ?? "?");
    private readonly AwaitableLog<WireMessage> _sent = new(m => m.Type ?? "?");

    public IReadOnlyList<WireMessage> Received => _received.Snapshot();

    public IReadOnlyList<WireMessage> Sent => _sent.Snapshot();

    public Task<WireMessage> WaitReceivedAsync(string type, Func<WireMessage, bool>? match = null) =>
        _received.WaitAsync(m => m.Type == type && (match?.Invoke(m) ?? true), $"server event {type}");

    public async Task<WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken) =>
        new TappedWebSocket(await inner.ConnectAsync(uri, headers, cancellationToken), _received, _sent);

    private sealed class TappedWebSocket(WebSocket inner, AwaitableLog<WireMessage> received, AwaitableLog<WireMessage> sent) : WebSocket
    {
        private readonly MemoryStream _partialIn = new();
        private readonly MemoryStream _partialOut = new();

        public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

        public override string? CloseStatusDescription => inner.CloseStatusDescription;

        public override WebSocketState State => inner.State;

        public override string? SubProtocol => inner.SubProtocol;

        public override void Abort() => inner.Abort();

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Dispose() => inner.Dispose();

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            var result = await inner.ReceiveAsync(buffer, cancellationToken);
            Record(_partialIn, received, buffer.AsSpan(0, result.Count), result.MessageType, result.EndOfMessage);
            return result;
        }

        public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var result = await inner.ReceiveAsync(buffer, cancellationToken);
            Record(_partialIn, received, buffer.Span[..result.Count], result.MessageType, result.EndOfMessage);
            return result;
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            Record(_partialOut, sent, buffer, messageType, endOfMessage);
            return inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
        }

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            Record(_partialOut, sent, buffer.Span, messageType, endOfMessage);
            return inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
        }

        private static void Record(MemoryStream partial, AwaitableLog<WireMessage> log, ReadOnlySpan<byte> bytes, WebSocketMessageType type, bool endOfMessage)
        {
            if (type != WebSocketMessageType.Text)
            {
                return;
            }

            partial.Write(bytes);
            if (endOfMessage)
            {
                log.Add(new WireMessage(Encoding.UTF8.GetString(partial.GetBuffer(), 0, (int)partial.Length)));
                partial.SetLength(0);
            }
        }
    }
}
