using System.Buffers;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Load;

/// <summary>
/// One lean load call acting as Twilio: connected and start, then one tagged 20 ms media frame
/// whenever the shared clock ticks (an utterance of the recording, then silence until the agent's
/// reply has played), marks echoed once the audio before them has played, clear honoured, stop.
/// It keeps counters and histograms, never the audio: thousands of calls fit in one process.
/// </summary>
internal sealed partial class LoadCaller
{
    /// <summary>After a reply has played, the caller waits this long before its next utterance.</summary>
    private const long PauseMicros = 600_000;

    /// <summary>A reply not begun this long after the caller finished speaking is counted unanswered.</summary>
    private const long ReplyTimeoutMicros = 8_000_000;

    /// <summary>Agent audio arriving this soon after the caller's buffer ran dry is a late frame of the same reply.</summary>
    private const long UnderrunWindowMicros = 500_000;

    private readonly object _gate = new();
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private readonly byte[] _frame = new byte[CallClock.FrameSamples];
    private readonly TwilioOutboundMessage _message = new();
    private readonly Queue<(string Name, long DueMicros)> _marks = new();
    private readonly LoadAudio _audio;
    private readonly LoadMeasurements _measure;
    private readonly string _streamSid;
    private MessageSocket? _socket;
    private Task<SocketEnd>? _receive;
    private long _sequence;
    private long _chunk;
    private int _utterance;
    private int _position;
    private bool _speaking;
    private long _silenceUntilMicros;
    private long _utteranceEndMicros;
    private bool _replyStarted;
    private long _playoutEndMicros;

    public LoadCaller(int index, LoadAudio audio, LoadMeasurements measure, long startMicros)
    {
        _audio = audio;
        _measure = measure;
        _streamSid = $"MZload{index:D5}";
        _utterance = index % audio.Utterances.Count;
        // Calls start speaking at staggered moments over three seconds, as real callers would.
        _silenceUntilMicros = startMicros + (index * 137_000L % 3_000_000);
    }

    public bool Connected => _socket is not null && _receive is { IsCompleted: false };

    public async Task ConnectAsync(IWebSocketConnector connector, Uri server, CancellationToken cancellationToken)
    {
        var webSocket = await connector.ConnectAsync(server, new Dictionary<string, string>(), cancellationToken);
        var socket = new MessageSocket(webSocket, 256, TwilioMediaLeg.MaxMessageBytes);
        socket.StartSending();
        _socket = socket;
        _receive = socket.ReceiveAsync(OnMessageAsync, _ => _measure.BadMessage(), CancellationToken.None);
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

            NextFrame(nowMicros);
            HopTag.TryWrite(_frame, nowMicros);
            _out.ResetWrittenCount();
            _chunk++;
            TwilioCarrierWriter.WriteMedia(_out, ++_sequence, _streamSid, _chunk, (_chunk - 1) * CallClock.FrameMs, _frame);
            if (_socket!.TrySend(_out.WrittenSpan))
            {
                _measure.FrameSent();
            }
            else
            {
                _measure.FrameNotSent();
            }
        }
    }

    /// <summary>The next frame: the utterance being spoken, else silence (and the turn logic deciding when to speak).</summary>
    private void NextFrame(long nowMicros)
    {
        if (!_speaking)
        {
            var replyOver = _replyStarted && nowMicros > _playoutEndMicros + PauseMicros;
            var gaveUp = !_replyStarted && _utteranceEndMicros > 0 && nowMicros - _utteranceEndMicros > ReplyTimeoutMicros;
            if (gaveUp)
            {
                _measure.TurnUnanswered();
            }

            if (nowMicros >= _silenceUntilMicros && (_utteranceEndMicros == 0 || replyOver || gaveUp))
            {
                _speaking = true;
                _position = 0;
                _utteranceEndMicros = 0;
            }
        }

        if (!_speaking)
        {
            _frame.AsSpan().Fill(G711.MuLawSilence);
            return;
        }

        var utterance = _audio.Utterances[_utterance];
        utterance.AsSpan(_position, CallClock.FrameSamples).CopyTo(_frame);
        _position += CallClock.FrameSamples;
        if (_position >= utterance.Length)
        {
            _speaking = false;
            _replyStarted = false;
            _utteranceEndMicros = nowMicros;
            _utterance = (_utterance + 1) % _audio.Utterances.Count;
            _measure.TurnSpoken();
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
