using System.Buffers;
using Microsoft.Extensions.Logging;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Simulator;

/// <summary>
/// One simulated Realtime session: session config, audio buffer with server VAD, conversation,
/// responses; or, as a transcription session, committed turns transcribed and nothing more.
/// </summary>
internal sealed partial class SimulatorSession
{
    private readonly string _id;
    private readonly SimulatedSession _record;
    private readonly RealtimeSimulator _simulator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly ArrayBufferWriter<byte> _out = new(8192);
    private readonly RealtimeClientEvent _event = new();
    private readonly List<RealtimeItem> _history = [];
    private readonly short[] _pcm = new short[CallClock.FrameSamples];
    private readonly byte[] _pending = new byte[CallClock.FrameSamples];
    private MessageSocket? _socket;
    private Load.LoadProbe.Session? _load;
    private RealtimeSessionConfig _config;
    private EnergyVad _vad = new(new VadOptions());
    private int _pendingLength;
    private long _appended;
    private long _bufferStart;
    private long _nextId;
    private string? _speechItem;

    /// <summary>The least audio the service commits (<c>input_audio_buffer.commit</c> on less is an error).</summary>
    private const int MinCommitMs = 100;

    public SimulatorSession(string id, SimulatedSession record, RealtimeSimulator simulator, RealtimeSessionType type, TimeProvider time, ILogger logger)
    {
        _id = id;
        _config = new() { Type = type, TurnDetection = new RealtimeTurnDetection() };
        _record = record;
        _simulator = simulator;
        _time = time;
        _logger = logger;
    }

    public async Task RunAsync(System.Net.WebSockets.WebSocket webSocket)
    {
        await using var socket = new MessageSocket(webSocket, 8192, 1024 * 1024);
        _socket = socket;
        using var load = _simulator.Options.LoadProbe?.Open(webSocket.Abort);
        _load = load;
        socket.StartSending();
        Send(w => RealtimeServerWriter.WriteSessionCreated(w, EventId(), _id, _simulator.Options.Model, _config));
        foreach (var fault in _simulator.Faults.Timed())
        {
            ScheduleFault(fault, TimeSpan.FromSeconds(fault.When.N));
        }

        await socket.ReceiveAsync(OnMessageAsync, e => SendError("invalid_request_error", null, e), CancellationToken.None);
        lock (_gate)
        {
            CancelResponse("client_closed");
        }
    }

    private ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        if (_blackholed)
        {
            return ValueTask.CompletedTask;
        }

        if (!RealtimeClientParser.TryParse(utf8.Span, _event, out var error))
        {
            SendError("invalid_request_error", "invalid_event", error ?? "unparsable event");
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            switch (_event.Type)
            {
                case RealtimeClientEventType.SessionUpdate when ChangesType(_event.Session!):
                    break;
                case RealtimeClientEventType.SessionUpdate:
                    UpdateSession(_event.Session!);
                    break;
                case RealtimeClientEventType.InputAudioBufferAppend:
                    Append(_event.Audio.Span);
                    break;
                case RealtimeClientEventType.InputAudioBufferCommit:
                    CommitBuffer();
                    break;
                case RealtimeClientEventType.InputAudioBufferClear:
                    _speechItem = null;
                    _bufferStart = _appended + _pendingLength;
                    ForgetTurnAudio();
                    Send(w => RealtimeServerWriter.WriteInputAudioCleared(w, EventId()));
                    break;
                case RealtimeClientEventType.ConversationItemCreate:
                    var created = _event.Item! with { Id = _event.Item!.Id ?? NewId("item"), Status = "completed" };
                    _record.AddItem(created);
                    AddItem(created);
                    break;
                case RealtimeClientEventType.ConversationItemTruncate:
                    var (itemId, contentIndex, endMs) = (_event.ItemId!, _event.ContentIndex, _event.AudioEndMs);
                    Send(w => RealtimeServerWriter.WriteConversationItemTruncated(w, EventId(), itemId, contentIndex, endMs));
                    break;
                case RealtimeClientEventType.ResponseCreate when _config.Type == RealtimeSessionType.Transcription:
                    SendError("invalid_request_error", "invalid_event", "response.create is not supported in a transcription session");
                    break;
                case RealtimeClientEventType.ResponseCreate:
                    _record.Add(new SimulatedEvent(SimulatedEventKind.ResponseCreate));
                    StartResponse(_event.ResponseInstructions);
                    break;
                case RealtimeClientEventType.ResponseCancel:
                    CancelResponse("client_cancelled");
                    break;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Caller audio: counted, run through the server VAD frame by frame (audio offsets are session ms).</summary>
    private void Append(ReadOnlySpan<byte> audio)
    {
        _record.CountAudio(audio.Length);
        _load?.OnCallerAudio(audio);
        while (!audio.IsEmpty)
        {
            var n = Math.Min(audio.Length, _pending.Length - _pendingLength);
            audio[..n].CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += n;
            audio = audio[n..];
            if (_pendingLength < _pending.Length)
            {
                continue;
            }

            Decode(_pending, _pcm);
            KeepForRecognition(_pcm);
            var frameStart = _appended;
            _appended += _pending.Length;
            _pendingLength = 0;
            if (_config.TurnDetection is null)
            {
                // No server VAD: the client commits. A transcription session still notices each
                // utterance it hears, which is what its userN faults count.
                if (_config.Type == RealtimeSessionType.Transcription && _vad.Process(_pcm, frameStart).Kind == VadEventKind.SpeechStarted)
                {
                    OnUtteranceHeard();
                }

                continue;
            }

            var vad = _vad.Process(_pcm, frameStart);
            if (vad.Kind == VadEventKind.SpeechStarted)
            {
                OnSpeechStarted(vad.Position);
            }
            else if (vad.Kind == VadEventKind.SpeechStopped && _speechItem is not null)
            {
                OnSpeechStopped(vad.Position);
            }
        }
    }

    private void Decode(ReadOnlySpan<byte> g711, Span<short> pcm)
    {
        if (_config.InputFormat == RealtimeAudioFormat.Pcma)
        {
            G711.ALawDecode(g711, pcm);
        }
        else
        {
            G711.MuLawDecode(g711, pcm);
        }
    }

    private void OnSpeechStarted(long position)
    {
        _speechItem = NewId("item");
        var item = _speechItem;
        var startMs = (int)CallClock.SamplesToMs(position);
        Send(w => RealtimeServerWriter.WriteSpeechStarted(w, EventId(), startMs, item));
        OnUtteranceHeard();

        if (_config.TurnDetection?.InterruptResponse == true)
        {
            CancelResponse("turn_detected");
        }
    }

    /// <summary>The caller began an utterance: a fault planned for it (userN) takes effect.</summary>
    private void OnUtteranceHeard()
    {
        if (_simulator.Faults.OnUtterance() is not { } fault)
        {
            return;
        }

        if (fault.Kind == Faults.FaultKind.EmptyTranscript)
        {
            _emptyTranscriptFault = fault;
        }
        else if (fault.Kind == Faults.FaultKind.StallResponse && _config.Type == RealtimeSessionType.Transcription)
        {
            // A transcription session's stall: this utterance's transcript never comes.
            _stalledTranscriptFault = fault;
        }
        else
        {
            ScheduleFault(fault, TimeSpan.FromMilliseconds(fault.When.OffsetMs));
        }
    }

    private void OnSpeechStopped(long position)
    {
        var item = _speechItem!;
        _speechItem = null;
        var endMs = (int)CallClock.SamplesToMs(position);
        Send(w => RealtimeServerWriter.WriteSpeechStopped(w, EventId(), endMs, item));
        _record.Add(new SimulatedEvent(SimulatedEventKind.VadCommit));
        CommitUserTurn(item);
        if (_config.TurnDetection?.CreateResponse == true && _config.Type == RealtimeSessionType.Realtime)
        {
            _record.Add(new SimulatedEvent(SimulatedEventKind.AutoResponse));
            StartResponse();
        }
    }

    /// <summary>
    /// <c>input_audio_buffer.commit</c>: as the service does, a buffer holding less than 100 ms of
    /// audio since the last commit is refused (<c>input_audio_buffer_commit_empty</c>), so a client
    /// that commits what the server VAD already committed learns it; a commit never creates a response.
    /// </summary>
    private void CommitBuffer()
    {
        var buffered = _appended + _pendingLength - _bufferStart;
        if (buffered < CallClock.MsToSamples(MinCommitMs))
        {
            _record.Add(new SimulatedEvent(SimulatedEventKind.CommitRefused));
            SendError("invalid_request_error", "input_audio_buffer_commit_empty",
                $"Error committing input audio buffer: buffer too small. Expected at least {MinCommitMs}ms of audio, but buffer only has {CallClock.SamplesToMs(buffered)}.00ms of audio.");
            return;
        }

        _record.Add(new SimulatedEvent(SimulatedEventKind.Commit));
        CommitUserTurn(_speechItem ?? NewId("item"));
        _speechItem = null;
    }

    /// <summary>
    /// <c>session.update</c>: merged into the configuration. The server VAD keeps its state (an
    /// utterance in progress stays one) unless its silence window or turn detection itself changed.
    /// </summary>
    private void UpdateSession(RealtimeSessionUpdate update)
    {
        var before = _config.TurnDetection;
        _config = update.ApplyTo(_config);
        if (before?.SilenceDurationMs != _config.TurnDetection?.SilenceDurationMs || (before is null) != (_config.TurnDetection is null))
        {
            _vad = new EnergyVad(new VadOptions { SilenceMs = _config.TurnDetection?.SilenceDurationMs ?? 500 });
        }

        _record.Add(new SimulatedEvent(SimulatedEventKind.SessionUpdate, _config.TurnDetection?.CreateResponse));
        Send(w => RealtimeServerWriter.WriteSessionUpdated(w, EventId(), _id, _simulator.Options.Model, _config));
    }

    /// <summary>Commits the caller's turn as a user item and "transcribes" it (see <see cref="SimulatorControl"/> and <see cref="TranscriptOfTurn"/>).</summary>
    private void CommitUserTurn(string itemId)
    {
        _bufferStart = _appended + _pendingLength;
        var previous = _history.Count == 0 ? null : _history[^1].Id;
        Send(w => RealtimeServerWriter.WriteInputAudioCommitted(w, EventId(), itemId, previous));
        var transcript = TranscriptOfTurn();
        if (_emptyTranscriptFault is { } empty)
        {
            _emptyTranscriptFault = null;
            _simulator.Faults.Strike(empty);
            transcript = "";
        }

        if (_config.Type == RealtimeSessionType.Transcription)
        {
            if (_stalledTranscriptFault is { } stalled)
            {
                _stalledTranscriptFault = null;
                _simulator.Faults.Strike(stalled);
                return;
            }

            Transcribe(itemId, transcript);
            return;
        }

        var item = new RealtimeItem
        {
            Id = itemId, Type = RealtimeItemType.Message, Role = RealtimeRole.User, Status = "completed",
            ContentType = RealtimeContentType.InputAudio, Text = transcript,
        };
        AddItem(item);
        if (_config.TranscriptionModel is not null)
        {
            Send(w => RealtimeServerWriter.WriteInputTranscriptionCompleted(w, EventId(), itemId, 0, transcript));
        }
    }

    private void AddItem(RealtimeItem item)
    {
        var previous = _history.Count == 0 ? null : _history[^1].Id;
        _history.Add(item);
        Send(w => RealtimeServerWriter.WriteConversationItemAdded(w, EventId(), item, previous));
        Send(w => RealtimeServerWriter.WriteConversationItemDone(w, EventId(), item, previous));
    }

    private void SendError(string type, string? code, string message)
    {
        Log.ClientError(_logger, _id, message);
        Send(w => RealtimeServerWriter.WriteError(w, EventId(), type, code, message));
    }

    private void Send(Action<IBufferWriter<byte>> write)
    {
        if (_blackholed)
        {
            return;
        }

        lock (_out)
        {
            _out.ResetWrittenCount();
            write(_out);
            _socket?.TrySend(_out.WrittenSpan);
        }
    }

    private string EventId() => NewId("event");

    private string NewId(string prefix) => $"{prefix}_{_id[5..]}_{Interlocked.Increment(ref _nextId):D5}";

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "simulator {Session}: rejected client event: {Error}")]
        public static partial void ClientError(ILogger logger, string session, string error);
    }
}
