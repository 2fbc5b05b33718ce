using System.Buffers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>
/// One simulated live transcription stream. Audio runs through <see cref="EnergyVad"/> (its silence
/// window is the stream's endpointing): a speech start takes the next hint as the utterance's
/// words, interim results reveal them over time, the endpoint sends them as a final
/// <c>speech_final</c> result, and Finalize flushes whatever is still open as <c>from_finalize</c>.
/// Planned faults strike at the utterances it hears and the final transcripts it sends.
/// </summary>
internal sealed partial class DeepgramSimulatorSession
{
    private readonly CascadeSimulator _owner;
    private readonly SimulatedSession _record;
    private readonly DeepgramStreamParams _params;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly ArrayBufferWriter<byte> _out = new(4096);
    private readonly EnergyVad _vad;
    private readonly byte[] _pending = new byte[CallClock.FrameSamples];
    private readonly short[] _pcm = new short[CallClock.FrameSamples];
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly InactivityWatchdog _idle;
    private readonly CancellationTokenSource _done = new();
    private readonly string _requestId = Guid.NewGuid().ToString();
    private WebSocket? _raw;
    private MessageSocket? _socket;
    private int _pendingLength;
    private long _position;
    private long _segmentStart;
    private Utterance? _open;
    private long _lastWordEnd = -1;
    private bool _utteranceEndDue;
    private int _sent;
    private bool _closing;
    private bool _blackholed;
    private bool _withheld;

    public DeepgramSimulatorSession(CascadeSimulator owner, SimulatedSession record, DeepgramStreamParams parameters, ILogger logger)
    {
        _owner = owner;
        _record = record;
        _params = parameters;
        _logger = logger;
        _vad = new EnergyVad(new VadOptions { SilenceMs = parameters.EndpointingMs ?? 500 });
        _idle = new InactivityWatchdog(owner.Time, owner.Options.SttIdleTimeout);
    }

    public async Task RunAsync(WebSocket webSocket)
    {
        _raw = webSocket;
        await using var socket = new MessageSocket(webSocket, 1024, 64 * 1024);
        _socket = socket;
        socket.StartSending();
        var idle = CloseWhenIdleAsync();
        foreach (var fault in Plan.Timed())
        {
            ScheduleFault(fault, TimeSpan.FromSeconds(fault.When.N));
        }

        var end = await socket.ReceiveAsync(OnControlAsync, OnAudioAsync, BadMessageAsync, CancellationToken.None);
        Log.Ended(_logger, _record.Id, end.ToString());
        _done.Cancel();
        await idle;
        await CloseAsync(WebSocketCloseStatus.NormalClosure, "");
        _sha256.Dispose();
        _done.Dispose();
    }

    private FaultPlan Plan => _owner.Deepgram.Faults;

    private ValueTask OnAudioAsync(ReadOnlyMemory<byte> audio)
    {
        if (_blackholed)
        {
            return ValueTask.CompletedTask;
        }

        _idle.Touch();
        if (audio.IsEmpty)
        {
            // An empty binary message is Deepgram's legacy way to close the stream.
            return CloseStreamAsync();
        }

        _record.CountAudio(audio.Length);
        lock (_gate)
        {
            _sha256.AppendData(audio.Span);
            var rest = audio.Span;
            while (!rest.IsEmpty)
            {
                var n = Math.Min(rest.Length, _pending.Length - _pendingLength);
                rest[..n].CopyTo(_pending.AsSpan(_pendingLength));
                _pendingLength += n;
                rest = rest[n..];
                if (_pendingLength == _pending.Length)
                {
                    G711.MuLawDecode(_pending, _pcm);
                    _pendingLength = 0;
                    OnFrameLocked();
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private void OnFrameLocked()
    {
        var frameStart = _position;
        _position += CallClock.FrameSamples;
        var vad = _vad.Process(_pcm, frameStart);
        if (vad.Kind == VadEventKind.SpeechStarted)
        {
            _open = new Utterance(_owner.Control.NextTranscript(_record.CallId) ?? "", vad.Position);
            _utteranceEndDue = false;
            _withheld = false;
            if (Plan.OnUtterance() is { } fault)
            {
                if (fault.Kind is FaultKind.EmptyTranscript or FaultKind.StallResponse)
                {
                    // Acts on this utterance's transcript, when it is due.
                    _open.Fault = fault;
                }
                else
                {
                    ScheduleFault(fault, TimeSpan.FromMilliseconds(fault.When.OffsetMs));
                }
            }

            if (_params.VadEvents)
            {
                Send(w => DeepgramServerWriter.WriteSpeechStarted(w, Seconds(vad.Position)));
            }
        }
        else if (vad.Kind == VadEventKind.SpeechStopped)
        {
            _lastWordEnd = vad.Position;
            _utteranceEndDue = _params.UtteranceEndMs is not null;
            if (_open is not null && _params.EndpointingMs is not null)
            {
                SendFinalLocked(speechFinal: true, fromFinalize: false);
            }
        }

        if (_open is not null && _params.InterimResults && _vad.InSpeech && _position - _open.LastInterim >= CallClock.MsToSamples(_owner.Options.InterimEveryMs))
        {
            _open.LastInterim = _position;
            var spokenMs = CallClock.SamplesToMs(_position - _open.Start);
            var words = _open.Words[..(int)Math.Min(_open.Words.Length, 1 + (spokenMs / _owner.Options.WordMs))];
            if (words.Length > 0)
            {
                var segment = new DeepgramSegment(Seconds(_segmentStart), Seconds(_position - _segmentStart), string.Join(' ', words), 0.8, false, false, false);
                Send(w => DeepgramServerWriter.WriteResults(w, segment, _requestId));
            }
        }

        if (_utteranceEndDue && !_vad.InSpeech && _position - _lastWordEnd >= CallClock.MsToSamples(_params.UtteranceEndMs!.Value))
        {
            _utteranceEndDue = false;
            Send(w => DeepgramServerWriter.WriteUtteranceEnd(w, Seconds(_lastWordEnd)));
        }
    }

    /// <summary>
    /// The open utterance's words (or nothing) as a final result for the audio since the last one.
    /// An utterance's transcript is the stream's Nth (<c>turnN</c>): a fault planned for it strikes
    /// instead of it, or just after it (<c>@done</c>); an empty-transcript fault sends it empty, a
    /// stall withholds it and everything else about that utterance.
    /// </summary>
    private void SendFinalLocked(bool speechFinal, bool fromFinalize)
    {
        var text = _open?.Text ?? "";
        var fault = _open is null ? null : _open.Fault ?? Plan.OnResponse();
        _open = null;
        switch (fault)
        {
            case { Kind: FaultKind.EmptyTranscript }:
                Plan.Strike(fault);
                text = "";
                break;
            case { Kind: FaultKind.StallResponse }:
                Plan.Strike(fault);
                _withheld = true;
                _segmentStart = _position;
                return;
            case { When.Point: not TurnPoint.Done }:
                Execute(fault);
                _segmentStart = _position;
                return;
        }

        var segment = new DeepgramSegment(Seconds(_segmentStart), Seconds(_position - _segmentStart), text, 0.98, true, speechFinal, fromFinalize);
        Send(w => DeepgramServerWriter.WriteResults(w, segment, _requestId));
        _segmentStart = _position;
        if (fault is not null)
        {
            Execute(fault);
        }
    }

    /// <summary>Carries a fault out after <paramref name="delay"/> on the simulator's clock.</summary>
    private void ScheduleFault(FaultSpec fault, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            lock (_gate)
            {
                Execute(fault);
            }

            return;
        }

        _ = RunLaterAsync();

        async Task RunLaterAsync()
        {
            try
            {
                await Task.Delay(delay, _owner.Time, _done.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                Execute(fault);
            }
        }
    }

    /// <summary>Does what a failing Deepgram does; the plan records when.</summary>
    private void Execute(FaultSpec fault)
    {
        if (_closing || _blackholed)
        {
            return;
        }

        Plan.Strike(fault);
        Log.Fault(_logger, _record.Id, fault.ToString());
        switch (fault.Kind)
        {
            case FaultKind.Close:
                _closing = true;
                _raw!.Abort();
                break;
            case FaultKind.Blackhole:
                _blackholed = true;
                break;
            case FaultKind.Error:
                Send(w => DeepgramServerWriter.WriteError(w, "Internal server error (simulated fault)", "The server had an error processing the stream.", "NET-0000"));
                break;
            case FaultKind.RateLimit:
                Send(w => DeepgramServerWriter.WriteError(w, "rate_limit_exceeded: too many requests, retry after 20 s (simulated fault)", "Rate limit exceeded.", "TOO_MANY_REQUESTS"));
                break;
        }
    }

    private void Send(Action<Utf8JsonWriter> write)
    {
        if (_closing || _blackholed || _socket is null)
        {
            return;
        }

        if (_sent > 0 && _sent == _owner.Faults.DropAfterMessages)
        {
            Log.Dropped(_logger, _record.Id, _sent);
            _closing = true;
            _raw!.Abort();
            return;
        }

        _out.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(_out))
        {
            write(w);
        }

        _socket.TrySend(_out.WrittenSpan);
        _sent++;
    }

    private static double Seconds(long samples) => (double)samples / CallClock.SampleRate;

    private sealed class Utterance(string text, long start)
    {
        public string Text { get; } = text;

        public string[] Words { get; } = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        public long Start { get; } = start;

        public long LastInterim { get; set; } = start;

        /// <summary>A fault planned for this utterance's transcript (<c>userN</c>: empty or withheld).</summary>
        public FaultSpec? Fault { get; set; }
    }
}
