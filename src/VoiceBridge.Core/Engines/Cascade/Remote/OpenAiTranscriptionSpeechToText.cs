using System.Buffers;
using Microsoft.Extensions.Logging;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// OpenAI transcription as a cascade speech-to-text stage: a Realtime transcription session
/// (<c>session.type:"transcription"</c>) spoken with the Realtime engine's own codec. Caller mu-law
/// goes out untouched as <c>input_audio_buffer.append</c>; the server's turn detection is off, so
/// <see cref="EndOfUtterance"/> commits the buffer and the committed item's
/// <c>input_audio_transcription.completed</c> is its one final transcript (confidence from the token
/// logprobs); deltas are interim transcripts. Bad messages and a lost socket are reported, never thrown.
/// </summary>
public sealed partial class OpenAiTranscriptionSpeechToText(
    OpenAiTranscriptionOptions options,
    IWebSocketConnector connector,
    TimeProvider time,
    ILogger<OpenAiTranscriptionSpeechToText> logger) : ISpeechToText
{
    private const int SendQueueCapacity = 1024;
    private const int MaxMessageBytes = 1024 * 1024;

    private readonly CancellationTokenSource _lifetime = new();
    private readonly TranscriptDelivery _delivery = new("openai transcription", logger);
    private readonly object _sendGate = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private MessageSocket? _socket;
    private Task? _receiveLoop;
    private volatile bool _disposing;
    private int _disposed;

    public string Name => "openai";

    /// <summary>Audio appends dropped because the send queue was full.</summary>
    public long DroppedSends => _socket?.DroppedSends ?? 0;

    /// <summary>Connects and configures the session; throws <see cref="ConnectFailedException"/> when the upgrade fails or times out.</summary>
    public async Task StartAsync(ISpeechToTextEvents events, CancellationToken cancellationToken)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid OpenAI transcription options: " + string.Join("; ", problems), nameof(options));
        }

        _delivery.Start(events);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            headers["Authorization"] = "Bearer " + options.ApiKey;
        }

        var uri = options.ConnectUri;
        var socket = await connector.ConnectWithinAsync(uri, headers, options.ConnectTimeout, time, cancellationToken, _lifetime.Token);
        _socket = new MessageSocket(socket, SendQueueCapacity, MaxMessageBytes);
        _socket.StartSending();
        Log.Connected(logger, uri, options.Simulated);
        Send(w => RealtimeClientWriter.WriteSessionUpdate(w, Session(options)));
        _receiveLoop = _delivery.ReceiveAsync(_socket, OnMessageAsync, _lifetime.Token);
    }

    public void SendAudio(ReadOnlySpan<byte> mulaw)
    {
        if (_socket is null || _disposing || mulaw.IsEmpty)
        {
            return;
        }

        lock (_sendGate)
        {
            _scratch.ResetWrittenCount();
            RealtimeClientWriter.WriteInputAudioAppend(_scratch, mulaw);
            _socket.TrySend(_scratch.WrittenSpan);
        }
    }

    /// <summary>Commits the audio appended since the last commit; its transcript is the utterance's final.</summary>
    public void EndOfUtterance()
    {
        if (!_disposing)
        {
            Send(w => RealtimeClientWriter.WriteInputAudioCommit(w));
        }
    }

    /// <summary>Closes the session (bounded) and waits for the receive loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing = true;
        _delivery.Stop();
        _lifetime.Cancel();
        if (_socket is { } socket)
        {
            using var closeTimeout = new CancellationTokenSource(options.CloseTimeout, time);
            await socket.CloseAsync("transcription finished", closeTimeout.Token);
            await socket.DisposeAsync();
            await _receiveLoop!;
        }

        _lifetime.Dispose();
    }

    /// <summary>The transcription session we ask for: mu-law in, no server turn detection (our VAD decides turns).</summary>
    internal static RealtimeSessionConfig Session(OpenAiTranscriptionOptions options) => new()
    {
        Type = RealtimeSessionType.Transcription,
        InputFormat = RealtimeAudioFormat.Pcmu,
        TranscriptionModel = options.Model,
        TurnDetection = null,
    };

    private void Send(Action<IBufferWriter<byte>> write)
    {
        if (_socket is null)
        {
            return;
        }

        lock (_sendGate)
        {
            _scratch.ResetWrittenCount();
            write(_scratch);
            _socket.TrySend(_scratch.WrittenSpan);
        }
    }
}
