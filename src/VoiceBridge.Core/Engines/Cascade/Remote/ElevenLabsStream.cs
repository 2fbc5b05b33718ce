using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// One stream-input connection: a text pump (initialise, chunks, end of input) and a receive loop
/// that decodes audio into a bounded channel, completed at <c>isFinal</c> or with a
/// <see cref="TextToSpeechException"/> naming what went wrong.
/// </summary>
internal sealed class ElevenLabsStream : IAsyncDisposable
{
    private const int SendQueueCapacity = 256;
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly MessageSocket _socket;
    private readonly ElevenLabsOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<byte[]> _audio = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _silence;
    private readonly ArrayBufferWriter<byte> _scratch = new(1024);
    private Task _pump = Task.CompletedTask;
    private Task _receive = Task.CompletedTask;
    private long _audioBytes;
    private volatile bool _textEnded;
    private volatile bool _final;

    public ElevenLabsStream(WebSocket socket, ElevenLabsOptions options, TimeProvider time)
    {
        _socket = new MessageSocket(socket, SendQueueCapacity, MaxMessageBytes);
        _options = options;
        _time = time;
        _silence = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    /// <summary>Decoded mu-law chunks; completes at <c>isFinal</c>, or with the failure.</summary>
    public ChannelReader<byte[]> Audio => _audio.Reader;

    public long AudioBytes => Interlocked.Read(ref _audioBytes);

    public void Start(IAsyncEnumerable<string> text, CancellationToken cancellationToken)
    {
        _socket.StartSending();
        _receive = ReceiveLoopAsync();
        _pump = PumpTextAsync(text, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_final)
        {
            using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1), _time);
            await _socket.CloseAsync("done", closeTimeout.Token);
        }

        _stop.Cancel();
        await _receive;
        await _pump;
        await _socket.DisposeAsync();
        _silence.Dispose();
        _stop.Dispose();
    }

    private async Task PumpTextAsync(IAsyncEnumerable<string> text, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        try
        {
            Send(w => ElevenLabsWire.WriteInit(w, _options));
            await foreach (var chunk in text.WithCancellation(linked.Token))
            {
                if (!string.IsNullOrWhiteSpace(chunk))
                {
                    Send(w => ElevenLabsWire.WriteText(w, chunk));
                }
            }

            Send(w => w.Write(ElevenLabsWire.EndOfInput));
            _textEnded = true;
            _silence.CancelAfter(_options.ReceiveTimeout);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            // The text source's own failure (or the caller's cancellation) reaches the consumer as is.
            Fail(e);
        }
        catch (OperationCanceledException)
        {
            // Stopped: the stream is being disposed.
        }
    }

    private void Send(Action<IBufferWriter<byte>> write)
    {
        _scratch.ResetWrittenCount();
        write(_scratch);
        if (!_socket.TrySend(_scratch.WrittenSpan))
        {
            throw new TextToSpeechException("elevenlabs: send queue full; the socket is not draining");
        }
    }

    private async Task ReceiveLoopAsync()
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _silence.Token);
        var end = await _socket.ReceiveAsync(
            OnMessageAsync,
            data => FailAsync($"binary message of {data.Length} bytes where JSON was expected"),
            FailAsync,
            linked.Token);
        if (_final || _stop.IsCancellationRequested)
        {
            return;
        }

        Fail(_silence.IsCancellationRequested
            ? new TextToSpeechException($"elevenlabs: no message for {_options.ReceiveTimeout.TotalMilliseconds:0} ms after the text ended ({AudioBytes} bytes of audio received)")
            : new TextToSpeechException($"elevenlabs: connection ended before isFinal, after {AudioBytes} bytes of audio: {end}") { ConnectionLost = true });
    }

    private async ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        if (!ElevenLabsWire.TryParse(utf8.Span, out var message, out var error))
        {
            await FailAsync(error!);
            return;
        }

        if (message!.Error is { } providerError)
        {
            await FailAsync($"provider error {providerError}");
            return;
        }

        if (_textEnded)
        {
            _silence.CancelAfter(_options.ReceiveTimeout);
        }

        if (message.Audio is { Length: > 0 } audio)
        {
            Interlocked.Add(ref _audioBytes, audio.Length);
            await _audio.Writer.WriteAsync(audio, _stop.Token);
        }

        if (message.IsFinal)
        {
            _final = true;
            _audio.Writer.TryComplete();
        }
    }

    private ValueTask FailAsync(string problem)
    {
        Fail(new TextToSpeechException($"elevenlabs: {problem}"));
        return ValueTask.CompletedTask;
    }

    private void Fail(Exception e)
    {
        _audio.Writer.TryComplete(e);
        _stop.Cancel();
    }
}
