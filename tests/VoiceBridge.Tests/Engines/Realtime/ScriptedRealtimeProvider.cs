using System.Buffers;
using System.Net.WebSockets;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>
/// A Realtime provider for start-up tests, on the test's fake clock: it answers
/// <c>session.update</c> with <c>session.updated</c> after <see cref="UpdateDelay"/> and each
/// <c>conversation.item.create</c> with <c>conversation.item.added</c> (the item under the
/// client's id, as the GA service does) after <see cref="AckDelay"/>; null: never. It logs, on the
/// fake clock, what it received and what it answered, so a test can check the order.
/// </summary>
internal sealed class ScriptedRealtimeProvider(TimeProvider time)
{
    private readonly List<(TimeSpan At, string What)> _log = [];
    private readonly long _start = time.GetTimestamp();

    public TimeSpan? UpdateDelay { get; init; } = TimeSpan.Zero;

    public TimeSpan? AckDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Closes the socket instead of acknowledging the first item.</summary>
    public bool CloseOnFirstItem { get; init; }

    /// <summary>The instructions of each <c>session.update</c> received, in order.</summary>
    public List<string?> Instructions { get; } = [];

    /// <summary>Each conversation item received, in order.</summary>
    public List<RealtimeItem> Items { get; } = [];

    /// <summary>What happened, in order, with the fake-clock time since the provider was made: "in TYPE" or "out TYPE".</summary>
    public IReadOnlyList<(TimeSpan At, string What)> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    public async Task HandleAsync(WebSocket webSocket, WebSocketRequest request)
    {
        await using var socket = new MessageSocket(webSocket, 256, 1024 * 1024);
        socket.StartSending();
        var parsed = new RealtimeClientEvent();
        await socket.ReceiveAsync(
            message =>
            {
                Assert.True(RealtimeClientParser.TryParse(message.Span, parsed, out var error), error);
                Note("in " + parsed.TypeName);
                if (parsed.Type == RealtimeClientEventType.SessionUpdate)
                {
                    Instructions.Add(parsed.Session!.Values.Instructions);
                    var config = parsed.Session.ApplyTo(new RealtimeSessionConfig());
                    Later(UpdateDelay, socket, "session.updated", w => RealtimeServerWriter.WriteSessionUpdated(w, "event_1", "sess_1", "gpt-realtime", config));
                }
                else if (parsed.Type == RealtimeClientEventType.ConversationItemCreate)
                {
                    var item = parsed.Item! with { Status = "completed" };
                    Items.Add(item);
                    if (CloseOnFirstItem)
                    {
                        socket.Abort();
                    }
                    else
                    {
                        Later(AckDelay, socket, "conversation.item.added", w => RealtimeServerWriter.WriteConversationItemAdded(w, "event_2", item, null));
                    }
                }

                return ValueTask.CompletedTask;
            },
            _ => { },
            CancellationToken.None);
    }

    /// <summary>Sends the message <paramref name="delay"/> from now on the provider's clock (a one-shot timer); null never sends it.</summary>
    private void Later(TimeSpan? delay, MessageSocket socket, string type, Action<IBufferWriter<byte>> write)
    {
        if (delay is not { } wait)
        {
            return;
        }

        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                var buffer = new ArrayBufferWriter<byte>();
                write(buffer);
                Note("out " + type);
                socket.TrySend(buffer.WrittenSpan);
                timer?.Dispose();
            },
            null,
            wait,
            Timeout.InfiniteTimeSpan);
    }

    private void Note(string what)
    {
        lock (_log)
        {
            _log.Add((time.GetElapsedTime(_start), what));
        }
    }
}
