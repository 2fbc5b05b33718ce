using System.Buffers;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Load;

/// <summary>
/// One lean load call acting as Twilio: connected and start, then one tagged 20 ms media frame
/// whenever the shared clock ticks (<see cref="LoadTurns"/> decides what the caller says), marks
/// echoed once the audio before them has played, clear honoured, stop. It keeps counters and
/// histograms, never the audio: thousands of calls fit in one process.
/// </summary>
internal sealed class TwilioLoadCall(int index, LoadTurns turns, LoadMeasurements measure, IWebSocketConnector connector, Uri server) : ILoadCall
{
    private readonly object _gate = new();
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private readonly byte[] _frame = new byte[CallClock.FrameSamples];
    private readonly TwilioOutboundMessage _message = new();
    private readonly Queue<(string Name, long DueMicros)> _marks = new();
    private readonly string _streamSid = $"MZload{index:D5}";
    private MessageSocket? _socket;
    private long _sequence;
    private long _chunk;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var webSocket = await connector.ConnectAsync(server, new Dictionary<string, string>(), cancellationToken);
        var socket = new MessageSocket(webSocket, 256, TwilioMediaLeg.MaxMessageBytes);
        socket.StartSending();
        _socket = socket;
        _ = socket.ReceiveAsync(OnMessageAsync, _ => measure.BadMessage(), CancellationToken.None);
        Send(w => TwilioCarrierWriter.WriteConnected(w));
        Send(w => TwilioCarrierWriter.WriteStart(w, ++_sequence, _streamSid, "ACload", "CA" + _streamSid[2..], new Dictionary<string, string>()));
    }

    /// <summary>One frame of the caller, stamped now; marks whose audio has played are echoed.</summary>
    public void Tick(long nowMicros)
    {
        lock (_gate)
        {
            while (_marks.TryPeek(out var mark) && mark.DueMicros <= nowMicros)
            {
                _marks.Dequeue();
                EchoMark(mark.Name);
            }

            turns.NextFrame(_frame, nowMicros);
            HopTag.TryWrite(_frame, nowMicros);
            _out.ResetWrittenCount();
            _chunk++;
            TwilioCarrierWriter.WriteMedia(_out, ++_sequence, _streamSid, _chunk, (_chunk - 1) * CallClock.FrameMs, _frame);
            if (_socket!.TrySend(_out.WrittenSpan))
            {
                measure.FrameSent();
            }
            else
            {
                measure.FrameNotSent();
            }
        }
    }

    /// <summary>Sends stop and closes the socket, waiting a little for the bridge's close.</summary>
    public async Task StopAsync(TimeProvider time)
    {
        if (_socket is not { } socket)
        {
            return;
        }

        Send(w => TwilioCarrierWriter.WriteStop(w, ++_sequence, _streamSid, "ACload", "CA" + _streamSid[2..]));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        try
        {
            await socket.CloseAsync("stop", timeout.Token);
        }
        catch (OperationCanceledException)
        {
            socket.Abort();
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            socket.Abort();
        }

        await socket.DisposeAsync();
    }

    /// <summary>What the bridge sends: agent audio (Twilio plays it on the caller's clock), marks, clear.</summary>
    private ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        var now = HopTag.NowMicros();
        if (TwilioOutboundParser.TryParse(utf8.Span, _message, out _) != TwilioParseStatus.Ok)
        {
            measure.BadMessage();
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            switch (_message.Kind)
            {
                case TwilioOutboundKind.Media:
                    turns.AgentAudio(_message.PayloadSpan, now, underrunIsLate: true);
                    break;
                case TwilioOutboundKind.Mark:
                    _marks.Enqueue((_message.MarkName ?? "", Math.Max(now, turns.PlayoutEndMicros)));
                    break;
                case TwilioOutboundKind.Clear:
                    turns.Cleared(now);
                    while (_marks.TryDequeue(out var mark))
                    {
                        EchoMark(mark.Name);
                    }

                    break;
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Send(Action<IBufferWriter<byte>> write)
    {
        lock (_gate)
        {
            _out.ResetWrittenCount();
            write(_out);
            _socket!.TrySend(_out.WrittenSpan);
        }
    }

    private void EchoMark(string name)
    {
        _out.ResetWrittenCount();
        TwilioCarrierWriter.WriteMark(_out, ++_sequence, _streamSid, name);
        _socket!.TrySend(_out.WrittenSpan);
    }
}
