using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Speech;
using VoiceBridge.Transport;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>
/// One simulated stream-input connection. Text is buffered and generated when a message asks for it
/// (<c>flush</c> or <c>try_trigger_generation</c>), when 50 characters are waiting, and at the end
/// (<c>{"text":""}</c>); generations are spoken in order by a single speaker loop. A stream that
/// speaks is the agent's Nth response (<c>turnN</c>): a fault planned for it strikes after its
/// first chunk, an offset into its audio, or after its last (<c>@done</c>, before <c>isFinal</c>).
/// </summary>
internal sealed partial class ElevenLabsSimulatorSession
{
    private const int GenerateAtChars = 50;

    private readonly CascadeSimulator _owner;
    private readonly SimulatedSession _record;
    private readonly WebSocketRequest _request;
    private readonly ILogger _logger;
    private readonly StringBuilder _buffer = new();
    private readonly Channel<string?> _generations = Channel.CreateBounded<string?>(64);
    private readonly ArrayBufferWriter<byte> _out = new(16 * 1024);
    private readonly object _sendGate = new();
    private readonly InactivityWatchdog _idle;
    private readonly CancellationTokenSource _done = new();
    private WebSocket? _raw;
    private MessageSocket? _socket;
    private bool _initialised;
    private volatile bool _inputEnded;
    private int _closing;
    private int _chunks;
    private bool _responding;
    private FaultSpec? _fault;
    private long _sentSamples;
    private volatile bool _silenced;
    private volatile bool _blackholed;

    public ElevenLabsSimulatorSession(CascadeSimulator owner, SimulatedSession record, WebSocketRequest request, ILogger logger)
    {
        _owner = owner;
        _record = record;
        _request = request;
        _logger = logger;
        _idle = new InactivityWatchdog(owner.Time, owner.Options.TtsInputTimeout);
    }

    public async Task RunAsync(WebSocket webSocket)
    {
        _raw = webSocket;
        await using var socket = new MessageSocket(webSocket, 1024, 1024 * 1024);
        _socket = socket;
        socket.StartSending();
        var format = QueryHelpers.ParseQuery(_request.Uri.Query).TryGetValue("output_format", out var f) ? f.ToString() : "mp3_44100_128";
        Task speaker = Task.CompletedTask;
        Task idle = Task.CompletedTask;
        if (format != "ulaw_8000")
        {
            await FailAsync("invalid_output_format", $"the simulator speaks output_format=ulaw_8000 only, not '{format}'");
        }
        else
        {
            Log.Opened(_logger, _record.Id, _request.Uri.AbsolutePath);
            speaker = SpeakLoopAsync();
            idle = EndWhenIdleAsync();
        }

        var end = await socket.ReceiveAsync(OnMessageAsync, null, problem => FailAsync("invalid_message", problem), CancellationToken.None);
        Log.Ended(_logger, _record.Id, end.ToString());
        _done.Cancel();
        await speaker;
        await idle;
        await CloseAsync(WebSocketCloseStatus.NormalClosure, "");
        _done.Dispose();
    }

    private FaultPlan Plan => _owner.ElevenLabs.Faults;

    private async ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        if (_blackholed)
        {
            return;
        }

        _idle.Touch();
        if (_inputEnded || Volatile.Read(ref _closing) != 0)
        {
            return;
        }

        string? text;
        bool generate;
        string? key;
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            text = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            generate = root.ValueKind == JsonValueKind.Object && (IsTrue(root, "flush") || IsTrue(root, "try_trigger_generation"));
            key = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("xi-api-key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        }
        catch (JsonException e)
        {
            await FailAsync("invalid_message", $"message is not valid JSON: {e.Message}");
            return;
        }

        if (text is null)
        {
            await FailAsync("invalid_message", "every message needs a string field 'text'");
            return;
        }

        if (!_initialised)
        {
            _initialised = true;
            _request.Headers.TryGetValue("xi-api-key", out var header);
            if (!_owner.KeyAccepted(header ?? key))
            {
                await FailAsync("invalid_api_key", "Invalid API key");
            }

            // The first message opens the stream; its text is a single space.
            return;
        }

        if (text.Length == 0)
        {
            _inputEnded = true;
            await QueueBufferedAsync();
            await WriteGenerationAsync(null);
            return;
        }

        _buffer.Append(text);
        if (generate || _buffer.Length >= GenerateAtChars)
        {
            await QueueBufferedAsync();
        }
    }

    private ValueTask QueueBufferedAsync()
    {
        var text = _buffer.ToString().Trim();
        _buffer.Clear();
        return text.Length == 0 ? ValueTask.CompletedTask : WriteGenerationAsync(text);
    }

    /// <summary>Queues a generation for the speaker; null is the end of input.</summary>
    private async ValueTask WriteGenerationAsync(string? text)
    {
        if (!_generations.Writer.TryWrite(text))
        {
            await FailAsync("queue_full", "too many pending generations");
        }
    }

    private static bool IsTrue(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>Speaks each generation in order: a first-audio delay, then paced chunks; <c>isFinal</c> after the end.</summary>
    private async Task SpeakLoopAsync()
    {
        try
        {
            var reader = _generations.Reader;
            while (await reader.WaitToReadAsync(_done.Token))
            {
                while (reader.TryRead(out var text))
                {
                    if (text is null)
                    {
                        // @done, or a +MS the response was too short to reach: after its last audio, before isFinal.
                        if (_fault is { Kind: not FaultKind.Slow, When.Point: TurnPoint.Done or TurnPoint.Offset } done && await ExecuteAsync(done))
                        {
                            return;
                        }

                        Send(ElevenLabsServerWriter.WriteFinal);
                        await CloseAsync(WebSocketCloseStatus.NormalClosure, "");
                        return;
                    }

                    _record.CountResponse();
                    if (!_responding)
                    {
                        _responding = true;
                        _fault = Plan.OnResponse();
                    }

                    await SpeakAsync(text);
                    if (_silenced || Volatile.Read(ref _closing) != 0)
                    {
                        // A stall or a dropped connection: nothing more is spoken, the socket stays as the fault left it.
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        catch (SpeechSynthesisException e)
        {
            await FailAsync("synthesis_failed", e.Message);
        }
    }

    /// <summary>Does what a failing ElevenLabs does; true when the stream speaks no more.</summary>
    private async ValueTask<bool> ExecuteAsync(FaultSpec fault)
    {
        _fault = null;
        Plan.Strike(fault);
        Log.Fault(_logger, _record.Id, fault.ToString());
        switch (fault.Kind)
        {
            case FaultKind.Close:
                Interlocked.Exchange(ref _closing, 1);
                _raw!.Abort();
                return true;
            case FaultKind.Blackhole:
                _blackholed = true;
                _silenced = true;
                return true;
            case FaultKind.StallAudio:
                _silenced = true;
                return true;
            case FaultKind.Error:
                await FailAsync("internal_server_error", "An internal server error occurred (simulated fault).");
                return true;
            case FaultKind.RateLimit:
                await FailAsync("rate_limit_exceeded", "Too many requests; retry after 20 s (simulated fault).");
                return true;
            default:
                return false;
        }
    }

    private async Task SpeakAsync(string text)
    {
        var audio = _owner.Options.Synthesizer.SynthesizeMuLaw(text);
        var chunk = (int)CallClock.MsToSamples(_owner.Options.ChunkAudioMs);
        var msPerChar = CallClock.SamplesToMsExact(audio.Length) / Math.Max(1, text.Length);
        var first = _sentSamples == 0;
        var delay = _owner.Options.FirstAudioDelay;
        if (first && _fault is { Kind: FaultKind.Slow } slow)
        {
            Plan.Strike(slow);
            delay += TimeSpan.FromMilliseconds(slow.SlowMs);
        }

        await Task.Delay(delay, _owner.Time, _done.Token);
        if (first && _fault is { Kind: FaultKind.StallResponse } stall)
        {
            // The response never makes a sound; the connection stays open.
            Plan.Strike(stall);
            _silenced = true;
            return;
        }

        for (var offset = 0; offset < audio.Length; offset += chunk)
        {
            if (_chunks > 0 && _chunks == _owner.Faults.DropAfterMessages)
            {
                Log.Dropped(_logger, _record.Id, _chunks);
                Interlocked.Exchange(ref _closing, 1);
                _raw!.Abort();
                return;
            }

            var slice = audio.AsMemory(offset, Math.Min(chunk, audio.Length - offset));
            var startMs = CallClock.SamplesToMsExact(offset);
            var lengthMs = CallClock.SamplesToMsExact(slice.Length);
            Send(w => ElevenLabsServerWriter.WriteAudio(w, slice.Span, text, 0, msPerChar, startMs, lengthMs));
            _chunks++;
            var firstChunk = _sentSamples == 0;
            _sentSamples += slice.Length;
            if (_fault is { Kind: not (FaultKind.Slow or FaultKind.StallResponse) } fault
                && FaultPlan.DueAt(fault, firstChunk, CallClock.SamplesToMs(_sentSamples)) && await ExecuteAsync(fault))
            {
                return;
            }

            await Task.Delay(_owner.Options.ChunkInterval, _owner.Time, _done.Token);
        }
    }
}
