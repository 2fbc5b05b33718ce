using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Faults;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Faults;

/// <summary>
/// An engine's socket under a drill, on its own over a scripted peer: it passes messages through
/// untouched and allocation-free (armed or not), counts spoken responses on the wire, and carries
/// out each fault between two whole messages.
/// </summary>
public sealed class DrillSocketTests
{
    private static readonly byte[] Created = """{"type":"response.created","event_id":"e1","response":{"id":"r"}}"""u8.ToArray();
    private static readonly byte[] Delta = """{"type":"response.output_audio.delta","event_id":"e2","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA"}"""u8.ToArray();
    private static readonly byte[] Done = """{"event_id":"e3","type":"response.done","response":{"id":"r","output":[{"id":"i"}]}}"""u8.ToArray();

    [OptimizedBuildFact]
    public void Passing_messages_through_allocates_nothing_even_while_counting_responses()
    {
        var (socket, _, arm) = Armed("primary:close@turn1000", Delta);
        var buffer = new byte[4096];
        Receive(socket, buffer);

        Assert.Equal(0, Allocations.Of(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                Receive(socket, buffer);
            }
        }));
        Assert.False(arm.Done);
    }

    [Fact]
    public void Turn_n_strikes_just_after_the_first_audio_of_the_nth_spoken_response()
    {
        var (socket, peer, arm) = Armed("primary:close@turn2", Created, Delta, Delta, Done, Created, Delta, Delta);
        var buffer = new byte[4096];
        for (var i = 0; i < 5; i++)
        {
            Receive(socket, buffer);
        }

        Assert.Null(arm.StruckAt);
        Assert.Equal(Delta.Length, Receive(socket, buffer).Count);
        Assert.NotNull(arm.StruckAt);
        Assert.True(peer.Aborted);
        var dropped = Assert.Throws<WebSocketException>(() => Receive(socket, buffer));
        Assert.Contains("dropped on our side (drill)", dropped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_is_handed_over_whole_between_two_messages_and_a_blackhole_swallows_both_ways()
    {
        var (socket, peer, _) = Armed("primary:error@turn1", Created, Delta, Delta, Delta, Delta);
        var buffer = new byte[4096];
        Receive(socket, buffer);
        Receive(socket, buffer);
        var error = Receive(socket, buffer);
        Assert.Contains("\"type\":\"error\"", Encoding.UTF8.GetString(buffer, 0, error.Count), StringComparison.Ordinal);
        Assert.Contains("server_error", Encoding.UTF8.GetString(buffer, 0, error.Count), StringComparison.Ordinal);
        Assert.Equal(Delta.Length, Receive(socket, buffer).Count);

        var (quiet, quietPeer, _) = Armed("primary:blackhole@turn1", Created, Delta, Delta, Delta);
        Receive(quiet, buffer);
        Receive(quiet, buffer);
        Assert.True(quiet.Blackholed);
        Assert.True(quiet.SendAsync(new ReadOnlyMemory<byte>(Delta), WebSocketMessageType.Text, true, CancellationToken.None).IsCompletedSuccessfully);
        Assert.Equal(0, quietPeer.Sent);
        Assert.Equal(WebSocketMessageType.Close, Receive(quiet, buffer).MessageType);
        Assert.False(peer.Aborted);
    }

    private static ValueWebSocketReceiveResult Receive(DrillSocket socket, byte[] buffer)
    {
        var receive = socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
        Assert.True(receive.IsCompleted);
        return receive.GetAwaiter().GetResult();
    }

    private static (DrillSocket Socket, ScriptedPeer Peer, DrillArm Arm) Armed(string fault, params byte[][] messages)
    {
        Assert.True(DrillFault.TryParse(fault, liveCall: false, out var parsed, out var error), error);
        var injector = new DrillInjector(new FakeTimeProvider(), NullLogger<DrillInjector>.Instance);
        var peer = new ScriptedPeer(messages);
        var arm = injector.Arm("call", "openai-realtime", parsed!, () => { });
        var connect = injector.Wrap(new PeerConnector(peer), "call", "openai-realtime").ConnectAsync(new Uri("ws://provider.invalid"), new Dictionary<string, string>(), CancellationToken.None);
        Assert.True(connect.IsCompletedSuccessfully);
        return ((DrillSocket)connect.Result, peer, arm);
    }

    private sealed class PeerConnector(WebSocket peer) : VoiceBridge.Transport.IWebSocketConnector
    {
        public Task<WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken) => Task.FromResult(peer);
    }

    /// <summary>A provider that has sent these messages, in order, then closes (one message: that one for ever).</summary>
    private sealed class ScriptedPeer(byte[][] messages) : WebSocket
    {
        private int _next;

        public bool Aborted { get; private set; }

        public int Sent { get; private set; }

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => Aborted ? WebSocketState.Aborted : WebSocketState.Open;

        public override string? SubProtocol => null;

        public override void Abort() => Aborted = true;

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Dispose()
        {
        }

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (Aborted)
            {
                throw new WebSocketException(WebSocketError.InvalidState);
            }

            if (_next >= messages.Length && messages.Length > 1)
            {
                return ValueTask.FromResult(new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, true));
            }

            var message = messages[Math.Min(_next++, messages.Length - 1)];
            message.CopyTo(buffer);
            return ValueTask.FromResult(new ValueWebSocketReceiveResult(message.Length, WebSocketMessageType.Text, true));
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            Sent++;
            return Task.CompletedTask;
        }
    }
}
