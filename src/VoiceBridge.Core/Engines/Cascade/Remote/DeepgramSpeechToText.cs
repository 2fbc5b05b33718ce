using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// Deepgram live transcription (<c>/v1/listen</c>) as a cascade speech-to-text stage: caller
/// mu-law goes out untouched as binary frames; interim results come back as non-final
/// transcripts; <see cref="EndOfUtterance"/> sends <c>Finalize</c>, and the utterance's final
/// transcript (every <c>is_final</c> segment since the last one, joined) is reported when the
/// <c>from_finalize</c> result arrives, or after <see cref="DeepgramOptions.FinalizeTimeout"/>
/// since Deepgram does not promise that result. KeepAlive flows while no audio does; CloseStream
/// ends the stream on dispose. Bad messages and a lost socket are reported, never thrown.
/// </summary>
public sealed partial class DeepgramSpeechToText(
    DeepgramOptions options,
    IWebSocketConnector connector,
    TimeProvider time,
    ILogger<DeepgramSpeechToText> logger) : ISpeechToText
{
    private const int SendQueueCapacity = 1024;
    private const int MaxMessageBytes = 1024 * 1024;

    private readonly CancellationTokenSource _lifetime = new();
    private readonly TranscriptDelivery _delivery = new("deepgram", logger);
    private readonly object _gate = new();
    private readonly List<(string Text, double? Confidence)> _segments = [];
    private MessageSocket? _socket;
    private Task? _receiveLoop;
    private Task? _keepAliveLoop;
    private int _audioSinceTick;
    private bool _finalizing;
    private bool _finalSeen;
    private int _utterance;
    private volatile bool _disposing;
    private int _disposed;
    private long _keepAlives;

    public string Name => "deepgram";

    /// <summary>Deepgram's request id for this stream, from its Metadata or Results.</summary>
    public string? RequestId { get; private set; }

    /// <summary>KeepAlive messages sent.</summary>
    public long KeepAlivesSent => Interlocked.Read(ref _keepAlives);

    /// <summary>Audio frames dropped because the send queue was full.</summary>
    public long DroppedSends => _socket?.DroppedSends ?? 0;

    /// <summary>Connects; throws <see cref="ConnectFailedException"/> when the upgrade fails or times out.</summary>
    public async Task StartAsync(ISpeechToTextEvents events, CancellationToken cancellationToken)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid Deepgram options: " + string.Join("; ", problems), nameof(options));
        }

        _delivery.Start(events);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            headers["Authorization"] = "Token " + options.ApiKey;
        }

        var uri = options.ListenUri;
        var socket = await connector.ConnectWithinAsync(uri, headers, options.ConnectTimeout, time, cancellationToken, _lifetime.Token);
        _socket = new MessageSocket(socket, SendQueueCapacity, MaxMessageBytes);
        _socket.StartSending();
        Log.Connected(logger, uri, options.Simulated);
        _receiveLoop = _delivery.ReceiveAsync(_socket, OnMessageAsync, _lifetime.Token);
        _keepAliveLoop = KeepAliveLoopAsync(_socket);
    }

    public void SendAudio(ReadOnlySpan<byte> mulaw)
    {
        // An empty binary frame is Deepgram's legacy "close stream": never send one.
        if (_socket is null || _disposing || mulaw.IsEmpty)
        {
            return;
        }

        _socket.TrySendBinary(mulaw);
        Volatile.Write(ref _audioSinceTick, 1);
    }

    /// <summary>Sends Finalize; a call while the previous utterance is still finalising is the same utterance.</summary>
    public void EndOfUtterance()
    {
        int utterance;
        lock (_gate)
        {
            if (_socket is null || _disposing || _finalizing)
            {
                return;
            }

            _finalizing = true;
            utterance = _utterance;
        }

        _socket.TrySend(DeepgramWire.Finalize);
        _ = FinalizeWatchdogAsync(utterance);
    }

    /// <summary>Sends CloseStream, waits (bounded) for the server to close, then closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing = true;
        _delivery.Stop();
        if (_socket is { } socket)
        {
            socket.TrySend(DeepgramWire.CloseStream);
            try
            {
                await _receiveLoop!.WaitAsync(options.CloseTimeout, time);
            }
            catch (TimeoutException)
            {
                Log.CloseTimedOut(logger, options.CloseTimeout.TotalMilliseconds);
            }

            _lifetime.Cancel();
            using var closeTimeout = new CancellationTokenSource(options.CloseTimeout, time);
            await socket.CloseAsync("stream finished", closeTimeout.Token);
            await socket.DisposeAsync();
            await _receiveLoop!;
            await _keepAliveLoop!;
        }

        _lifetime.Dispose();
    }

    /// <summary>Sends KeepAlive on each tick that saw no audio, so an idle gap is at most two intervals.</summary>
    private async Task KeepAliveLoopAsync(MessageSocket socket)
    {
        try
        {
            using var timer = new PeriodicTimer(options.KeepAliveInterval, time);
            while (await timer.WaitForNextTickAsync(_lifetime.Token))
            {
                if (Interlocked.Exchange(ref _audioSinceTick, 0) == 0 && !_disposing && socket.TrySend(DeepgramWire.KeepAlive))
                {
                    Interlocked.Increment(ref _keepAlives);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>
    /// Deepgram may not answer Finalize when the audio was already finalised (endpointing sent its
    /// final result): finalise with what arrived. When no final result at all came for the
    /// utterance, the stream has stalled: no transcript is delivered (an empty one would make the
    /// agent ask the caller to repeat to a deaf stage); the cascade's transcript timeout and the
    /// call's response-stall trigger take it from there.
    /// </summary>
    private async Task FinalizeWatchdogAsync(int utterance)
    {
        try
        {
            await Task.Delay(options.FinalizeTimeout, time, _lifetime.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        SpeechTranscript final;
        lock (_gate)
        {
            if (!_finalizing || _utterance != utterance)
            {
                return;
            }

            final = TakeFinalLocked(out var anyFinal);
            if (!anyFinal)
            {
                Log.Stalled(logger, options.FinalizeTimeout.TotalMilliseconds);
                return;
            }
        }

        Log.FinalizeTimedOut(logger, options.FinalizeTimeout.TotalMilliseconds);
        await _delivery.DeliverAsync(final);
    }

    /// <summary>The utterance so far as one final transcript; starts the next utterance.</summary>
    private SpeechTranscript TakeFinalLocked() => TakeFinalLocked(out _);

    /// <summary>As <see cref="TakeFinalLocked()"/>; <paramref name="anyFinal"/>: a final result came for the utterance.</summary>
    private SpeechTranscript TakeFinalLocked(out bool anyFinal)
    {
        anyFinal = _finalSeen;
        _finalSeen = false;
        var text = JoinLocked(null);
        var confidences = _segments.Where(s => s.Confidence is not null).Select(s => s.Confidence!.Value).ToList();
        _segments.Clear();
        _finalizing = false;
        _utterance++;
        return new SpeechTranscript(text, true, confidences.Count == 0 ? null : confidences.Average());
    }

    private string JoinLocked(string? interim) =>
        string.Join(' ', _segments.Select(s => s.Text).Append(interim ?? "").Where(t => t.Length > 0));
}
