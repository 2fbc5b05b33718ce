using System.Net.WebSockets;
using System.Text;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Transport;

/// <summary>
/// MessageSocket's send side: nothing goes before StartSending; while a send is in flight others
/// queue behind it, in order, one send at a time; a full queue drops and counts; a close waits for what is queued and never overlaps a send.
/// </summary>
public sealed class MessageSocketSendTests
{
    [Fact]
    public async Task Messages_queued_before_StartSending_wait_for_it_then_go_in_order()
    {
        var socket = new GatedSocket();
        await using var messages = new MessageSocket(socket, 8, 1024);
        messages.TrySend("a"u8);
        messages.TrySend("b"u8);
        Assert.Empty(socket.Sent);

        messages.StartSending();
        Assert.Equal(["a", "b"], socket.Sent);
    }

    [Fact]
    public async Task Messages_queued_behind_a_send_in_flight_follow_it_in_order_one_at_a_time()
    {
        var socket = new GatedSocket();
        await using var messages = new MessageSocket(socket, 8, 1024);
        messages.StartSending();
        var hold = socket.HoldNextSend();

        messages.TrySend("a"u8);
        await hold.Started.WaitAsync(TimeSpan.FromSeconds(10));
        messages.TrySend("b"u8);
        messages.TrySend("c"u8);
        Assert.Equal(["a"], socket.Sent);

        hold.Release();
        await messages.CloseAsync("done", CancellationToken.None);

        Assert.Equal(["a", "b", "c", "close"], socket.Sent);
        Assert.Equal(0, socket.OverlappingSends);
    }

    [Fact]
    public async Task A_full_queue_drops_the_message_and_counts_it()
    {
        var socket = new GatedSocket();
        await using var messages = new MessageSocket(socket, 2, 1024);
        messages.StartSending();
        var hold = socket.HoldNextSend();

        Assert.True(messages.TrySend("a"u8));
        await hold.Started.WaitAsync(TimeSpan.FromSeconds(10)); // a is in flight
        Assert.True(messages.TrySend("b"u8));  // queued
        Assert.True(messages.TrySend("c"u8));  // queued
        Assert.False(messages.TrySend("d"u8)); // no room
        Assert.Equal(1, messages.DroppedSends);

        hold.Release();
        await messages.CloseAsync("done", CancellationToken.None);
        Assert.Equal(["a", "b", "c", "close"], socket.Sent);
    }

    [Fact]
    public async Task Close_then_dispose_sends_the_close_once_and_nothing_after_it()
    {
        var socket = new GatedSocket();
        var messages = new MessageSocket(socket, 8, 1024);
        messages.StartSending();
        messages.TrySend("a"u8);
        await messages.CloseAsync("done", CancellationToken.None);
        Assert.False(messages.TrySend("late"u8));
        await messages.DisposeAsync();

        Assert.Equal(["a", "close"], socket.Sent);
        Assert.True(socket.Aborted);
    }

    /// <summary>A held send: <see cref="Started"/> once the socket is given it, complete once released.</summary>
    private sealed class Hold
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public Task Released => _released.Task;

        public void Begin() => _started.TrySetResult();

        public void Release() => _released.TrySetResult();
    }

    /// <summary>A WebSocket whose sends complete at once unless held; it records what it sent and overlapping sends.</summary>
    private sealed class GatedSocket : WebSocket
    {
        private Hold? _hold;
        private int _inSend;

        public List<string> Sent { get; } = [];

        public int OverlappingSends { get; private set; }

        public bool Aborted { get; private set; }

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => Aborted ? WebSocketState.Aborted : WebSocketState.Open;

        public override string? SubProtocol => null;

        public Hold HoldNextSend() => _hold = new Hold();

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            var text = Encoding.UTF8.GetString(buffer.Span);

            if (Interlocked.Increment(ref _inSend) > 1)
            {
                OverlappingSends++;
            }

            Sent.Add(text);
            if (_hold is { } hold)
            {
                _hold = null;
                hold.Begin();
                return new ValueTask(Release(hold.Released, cancellationToken));
            }

            Interlocked.Decrement(ref _inSend);
            return ValueTask.CompletedTask;
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _inSend) > 0)
            {
                OverlappingSends++;
            }

            Sent.Add("close");
            return Task.CompletedTask;
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
            throw new NotSupportedException("send-only test socket");

        public override void Abort() => Aborted = true;

        public override void Dispose()
        {
        }

        // A cancelled send ends (as a real socket's does), so a failing test cannot hang in dispose.
        private async Task Release(Task released, CancellationToken cancellationToken)
        {
            try
            {
                await released.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inSend);
            }
        }
    }
}
