using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace VoiceBridge.Transport;

/// <summary>
/// A WebSocket carrying whole messages (text, and binary where a protocol has it), with one receive
/// loop and one send loop joined by a bounded queue (CONVENTIONS.md #3). Sends never block the
/// caller: when the queue is full the message is dropped and counted. An oversized message, or a
/// binary one where none is expected, is reported and skipped; only the socket's own failure ends
/// the receive loop, and its result says why.
/// </summary>
public sealed class MessageSocket : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly int _maxMessageBytes;
    private readonly Channel<Outgoing> _outgoing;
    private readonly CancellationTokenSource _closing = new();

    /// <summary>The receive buffer a socket starts with.</summary>
    private const int InitialReceiveBytes = 8 * 1024;
    private Task? _sendLoop;

    public MessageSocket(WebSocket socket, int sendQueueCapacity, int maxMessageBytes)
    {
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        _outgoing = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(sendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>
    /// When true, a message over the size limit closes the connection with 1009 (Message Too Big) and
    /// is counted in <see cref="Operations.Rejections"/>, instead of being skipped [false]. For a peer
    /// that must never send one (the carrier's media socket), where skipping would hide an attack.
    /// </summary>
    public bool CloseOnOversize { get; init; }

    /// <summary>
    /// Incoming messages allowed per connection [none]: a peer faster than this is closed with 1008
    /// (Policy Violation) and counted, so one flooding socket cannot starve the node's other calls.
    /// </summary>
    public Security.TokenBucket? ReceiveRate { get; init; }

    /// <summary>Messages dropped because the send queue was full.</summary>
    public long DroppedSends { get; private set; }

    public WebSocketState State => _socket.State;

    /// <summary>Queues a UTF-8 text message (copied).</summary>
    public bool TrySend(ReadOnlySpan<byte> utf8) => TryQueue(utf8, WebSocketMessageType.Text);

    /// <summary>Queues a binary message (copied).</summary>
    public bool TrySendBinary(ReadOnlySpan<byte> data) => TryQueue(data, WebSocketMessageType.Binary);

    private bool TryQueue(ReadOnlySpan<byte> data, WebSocketMessageType type)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(buffer);
        if (_outgoing.Writer.TryWrite(new Outgoing(buffer, data.Length, type)))
        {
            return true;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        DroppedSends++;
        return false;
    }

    /// <summary>Drops the connection at once, without a close handshake (a fault, or a peer that vanished).</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Starts the send loop; call once.</summary>
    public void StartSending() => _sendLoop = SendLoopAsync();

    /// <summary>
    /// Reads whole messages and hands each to <paramref name="onMessage"/> (the memory is only valid
    /// during the call). Returns why the socket ended: a close from the peer, or an error.
    /// </summary>
    public Task<SocketEnd> ReceiveAsync(Func<ReadOnlyMemory<byte>, ValueTask> onMessage, Action<string> onBadMessage, CancellationToken cancellationToken) =>
        ReceiveAsync(onMessage, null, error =>
        {
            onBadMessage(error);
            return ValueTask.CompletedTask;
        }, cancellationToken);

    /// <summary>
    /// As above, with binary messages handed to <paramref name="onBinary"/> (when null they are
    /// reported as bad) and bad messages reported asynchronously.
    /// </summary>
    public async Task<SocketEnd> ReceiveAsync(
        Func<ReadOnlyMemory<byte>, ValueTask> onMessage,
        Func<ReadOnlyMemory<byte>, ValueTask>? onBinary,
        Func<string, ValueTask> onBadMessage,
        CancellationToken cancellationToken)
    {
        // Small to begin with (a Twilio media message is ~400 bytes; a provider's audio delta a few KB):
        // it doubles, up to the limit, when a message needs it. Every open socket holds one.
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialReceiveBytes, _maxMessageBytes));
        try
        {
            while (true)
            {
                var length = 0;
                var oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length && !oversized)
                    {
                        if (buffer.Length >= _maxMessageBytes)
                        {
                            oversized = true;
                            length = 0;
                        }
                        else
                        {
                            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _maxMessageBytes));
                            buffer.AsSpan(0, length).CopyTo(bigger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = bigger;
                        }
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length = oversized ? 0 : length + result.Count;
                }
                while (!result.EndOfMessage);

                // The buffer may be larger than the limit (pool sizes): the limit is the message's length.
                oversized |= length > _maxMessageBytes;

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new SocketEnd(true, _socket.CloseStatus, _socket.CloseStatusDescription, null);
                }

                if (oversized && CloseOnOversize)
                {
                    return await RefuseAsync(Operations.Rejections.LimitMessageSize, WebSocketCloseStatus.MessageTooBig, $"message over {_maxMessageBytes} bytes", cancellationToken);
                }

                if (ReceiveRate is { } rate && !rate.TryTake())
                {
                    return await RefuseAsync(Operations.Rejections.LimitMessageRate, WebSocketCloseStatus.PolicyViolation, $"over {rate.PerSecond} messages a second", cancellationToken);
                }

                if (oversized)
                {
                    await onBadMessage($"message over {_maxMessageBytes} bytes skipped");
                }
                else if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await (onBinary is null
                        ? onBadMessage($"binary message of {length} bytes where text JSON was expected; skipped")
                        : onBinary(buffer.AsMemory(0, length)));
                }
                else
                {
                    await onMessage(buffer.AsMemory(0, length));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new SocketEnd(false, null, "cancelled", null);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            return new SocketEnd(false, null, e.Message, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // A limit broken: counted, the peer told why in the close frame, and the receive loop ends with the reason.
    private async Task<SocketEnd> RefuseAsync(string kind, WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        Operations.Rejections.Count(kind);
        await CloseAsync(status, reason, cancellationToken);
        return new SocketEnd(false, status, reason, null);
    }

    /// <summary>Sends what is queued, then drops the connection without a close handshake (a provider that dies right after a message).</summary>
    public async Task AbortAfterFlushAsync()
    {
        _outgoing.Writer.TryComplete();
        if (_sendLoop is not null)
        {
            await _sendLoop;
        }

        _socket.Abort();
    }

    /// <summary>Flushes queued sends, then closes politely (bounded by the token).</summary>
    public Task CloseAsync(string reason, CancellationToken cancellationToken) =>
        CloseAsync(WebSocketCloseStatus.NormalClosure, reason, cancellationToken);

    /// <summary>Flushes queued sends, then closes with <paramref name="status"/> (bounded by the token).</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        _outgoing.Writer.TryComplete();
        if (_sendLoop is not null)
        {
            await _sendLoop;
        }

        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await _socket.CloseOutputAsync(status, reason, cancellationToken);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer is already gone; nothing left to flush.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        _closing.Cancel();
        if (_sendLoop is not null)
        {
            await _sendLoop;
        }

        _socket.Abort();
        _socket.Dispose();
        _closing.Dispose();
    }

    private async Task SendLoopAsync()
    {
        try
        {
            // Not ReadAllAsync: it awaits with ConfigureAwait(false), which would move this loop
            // off the caller's SynchronizationContext (the virtual-time loop) onto the thread pool.
            var reader = _outgoing.Reader;
            while (await reader.WaitToReadAsync(_closing.Token))
            {
                while (reader.TryRead(out var message))
                {
                    try
                    {
                        await _socket.SendAsync(message.Buffer.AsMemory(0, message.Length), message.Type, true, _closing.Token);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(message.Buffer);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The receive loop reports the socket's end; queued messages die with the socket.
        }
    }

    private readonly record struct Outgoing(byte[] Buffer, int Length, WebSocketMessageType Type);
}

/// <summary>Why a socket's receive loop ended.</summary>
public sealed record SocketEnd(bool ClosedByPeer, WebSocketCloseStatus? CloseStatus, string? Description, Exception? Error)
{
    public override string ToString() => ClosedByPeer
        ? $"closed by peer ({CloseStatus}{(string.IsNullOrEmpty(Description) ? "" : ": " + Description)})"
        : CloseStatus is { } refused ? $"closed by us ({refused}: {Description})" : $"socket failed: {Description}";
}
