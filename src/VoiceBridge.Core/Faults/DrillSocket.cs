using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace VoiceBridge.Faults;

/// <summary>
/// An engine's WebSocket as a drill sees it (<see cref="DrillInjector"/>): everything passes
/// through untouched until a fault is armed on it. Then it counts the engine's spoken responses
/// (the first <c>response.output_audio.delta</c> of each) to strike at <c>turnN</c>, and it can
/// go silent both ways (<see cref="Blackholed"/>) or hand the engine one synthetic provider event
/// between two real messages (<see cref="Inject"/>). Aborting it is the real socket's abort.
/// </summary>
internal sealed class DrillSocket(WebSocket inner, DrillInjector injector, string callId, string engine) : WebSocket
{
    /// <summary>A provider error that does not blame our request (provider-error).</summary>
    internal static readonly byte[] ErrorEvent =
        """{"type":"error","event_id":"evt_drill","error":{"type":"server_error","code":"server_error","message":"VoiceBridge drill: synthetic provider error (the provider did not fail)"}}"""u8.ToArray();

    /// <summary>A provider rate-limit error (rate-limited).</summary>
    internal static readonly byte[] RateLimitEvent =
        """{"type":"error","event_id":"evt_drill","error":{"type":"server_error","code":"rate_limit_exceeded","message":"VoiceBridge drill: synthetic rate limit (the provider did not limit us)"}}"""u8.ToArray();

    private byte[]? _injected;
    private volatile bool _dropped;
    private bool _midMessage;
    private bool _responseHeard;
    private int _disposed;

    public string CallId => callId;

    public string Engine => engine;

    /// <summary>The turn fault this socket counts responses for, if any.</summary>
    public DrillArm? Watch { get; set; }

    /// <summary>Nothing more reaches the engine, and nothing it sends leaves.</summary>
    public bool Blackholed { get; set; }

    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

    public override string? CloseStatusDescription => inner.CloseStatusDescription;

    public override WebSocketState State => inner.State;

    public override string? SubProtocol => inner.SubProtocol;

    /// <summary>Hands <paramref name="utf8"/> to the engine as the next message from the provider.</summary>
    public void Inject(byte[] utf8) => Volatile.Write(ref _injected, utf8);

    public override void Abort() => inner.Abort();

    /// <summary>
    /// The drill's close: the real socket is aborted, and a receive it interrupts ends as a lost
    /// connection does (an aborted WebSocket ends its pending receive as a cancellation, which
    /// the engine would take for its own stop).
    /// </summary>
    public void Drop()
    {
        _dropped = true;
        inner.Abort();
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            inner.Dispose();
            injector.Closed(this);
        }
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken);
        return result.MessageType == WebSocketMessageType.Close
            ? new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage, CloseStatus, CloseStatusDescription)
            : new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    /// <summary>Pooled builder: the receive path allocates nothing per message.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_dropped)
            {
                throw Dropped(null);
            }

            if (!_midMessage && Volatile.Read(ref _injected) is { } injected && injected.Length <= buffer.Length)
            {
                Volatile.Write(ref _injected, null);
                injected.CopyTo(buffer);
                return new ValueWebSocketReceiveResult(injected.Length, WebSocketMessageType.Text, true);
            }

            ValueWebSocketReceiveResult result;
            try
            {
                result = await inner.ReceiveAsync(buffer, cancellationToken);
            }
            catch (OperationCanceledException e) when (_dropped && !cancellationToken.IsCancellationRequested)
            {
                throw Dropped(e);
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result;
            }

            var first = !_midMessage;
            _midMessage = !result.EndOfMessage;
            if (Blackholed)
            {
                continue;
            }

            if (first && result.MessageType == WebSocketMessageType.Text && Watch is { } arm)
            {
                Observe(buffer.Span[..result.Count], arm);
            }

            return result;
        }
    }

    private static WebSocketException Dropped(Exception? inner) =>
        new(WebSocketError.ConnectionClosedPrematurely, "the connection was dropped on our side (drill)", inner);

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        Blackholed ? Task.CompletedTask : inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        Blackholed ? ValueTask.CompletedTask : inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
        Blackholed ? ValueTask.CompletedTask : inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);

    /// <summary>Counts spoken responses: a response's first audio delta is one, the Nth strikes the watched fault just after it.</summary>
    private void Observe(ReadOnlySpan<byte> utf8, DrillArm arm)
    {
        switch (TypeOf(utf8))
        {
            case EventType.ResponseBoundary:
                _responseHeard = false;
                break;
            case EventType.AudioDelta when !_responseHeard:
                _responseHeard = true;
                if (++arm.Responses == arm.Fault.N)
                {
                    injector.Strike(arm);
                }

                break;
        }
    }

    /// <summary>The event's top-level <c>type</c>, read without allocating; Other when it is not among the first few properties or the text is cut.</summary>
    private static EventType TypeOf(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return EventType.Other;
            }

            for (var property = 0; property < 4 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName; property++)
            {
                var isType = reader.ValueTextEquals("type"u8);
                if (!reader.Read())
                {
                    return EventType.Other;
                }

                if (isType)
                {
                    return reader.TokenType != JsonTokenType.String ? EventType.Other
                        : reader.ValueTextEquals("response.output_audio.delta"u8) || reader.ValueTextEquals("response.audio.delta"u8) ? EventType.AudioDelta
                        : reader.ValueTextEquals("response.created"u8) || reader.ValueTextEquals("response.done"u8) ? EventType.ResponseBoundary
                        : EventType.Other;
                }

                if (!reader.TrySkip())
                {
                    return EventType.Other;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON the engine can use either; it reports it itself.
        }

        return EventType.Other;
    }

    private enum EventType
    {
        Other,
        AudioDelta,
        ResponseBoundary,
    }
}
