using System.Buffers;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>
/// Acts as Twilio for a recorded caller: opens the media WebSocket, sends connected and start,
/// streams the recording as 20 ms media frames on the time provider's clock, plays the agent's
/// audio in real time, echoes marks only once the audio before them has played (and pending marks
/// on clear), and sends stop. Everything it saw is in the result, to check the bridge's accounting.
/// </summary>
public sealed partial class FakeTwilioCaller : FakeCaller
{
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private MessageSocket? _socket;
    private long _sequence;

    public FakeTwilioCaller(short[] recording8k, FakeCallerOptions options, TimeProvider time)
        : base(recording8k, options, time)
    {
    }

    public async Task<FakeCallerResult> RunAsync(IWebSocketConnector connector, Uri mediaUri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var webSocket = await connector.ConnectAsync(mediaUri, headers, cancellationToken);
        await using var socket = new MessageSocket(webSocket, 4096, TwilioMediaLeg.MaxMessageBytes);
        _socket = socket;
        socket.StartSending();
        var receive = socket.ReceiveAsync(OnMessageAsync, e => AddError($"bad message from the bridge: {e}"), cancellationToken);

        Send(w => TwilioCarrierWriter.WriteConnected(w));
        Send(w => TwilioCarrierWriter.WriteStart(w, ++_sequence, Options.StreamSid, Options.AccountSid, Options.CallSid, new Dictionary<string, string>()));

        var endedIdle = false;
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Media.CallClock.FrameMs), Time))
        {
            while (!receive.IsCompleted && !_streamEndRequested && await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_streamEndRequested)
                {
                    // The call was moved (a transfer): Twilio ends the stream.
                    break;
                }

                var finished = Tick();
                if (finished is not null)
                {
                    endedIdle = finished.Value;
                    break;
                }
            }
        }

        Send(w => TwilioCarrierWriter.WriteStop(w, ++_sequence, Options.StreamSid, Options.AccountSid, Options.CallSid));
        using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), Time);
        await socket.CloseAsync("stop", closeTimeout.Token);
        var end = await receive;
        if (!end.ClosedByPeer)
        {
            AddError($"media socket did not close cleanly: {end}");
        }

        return Result(endedIdle, _framesReceived, _oddPayloads, r => r with
        {
            MarksPlayed = _marksPlayed,
            MarksFlushed = _marksFlushed,
            Clears = _clears,
            TransferredTo = _transferredTo,
            CallUpdates = [.. _callUpdates],
        });
    }

    protected override void SendCallerFrame(ReadOnlySpan<byte> frame, long tick)
    {
        lock (_out)
        {
            _out.ResetWrittenCount();
            TwilioCarrierWriter.WriteMedia(_out, ++_sequence, Options.StreamSid, tick, (tick - 1) * Media.CallClock.FrameMs, frame);
            _socket!.TrySend(_out.WrittenSpan);
        }
    }

    /// <summary>A <c>dtmf</c> message, as Twilio sends one per key the caller presses.</summary>
    protected override void SendDigit(char digit) =>
        Send(w => TwilioCarrierWriter.WriteDtmf(w, ++_sequence, Options.StreamSid, digit.ToString()));

    private void Send(Action<IBufferWriter<byte>> write)
    {
        lock (_out)
        {
            _out.ResetWrittenCount();
            write(_out);
            _socket!.TrySend(_out.WrittenSpan);
        }
    }
}
