using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Simulator.Cascade;

internal sealed partial class DeepgramSimulatorSession
{
    /// <summary>Text messages are control messages: KeepAlive, Finalize, CloseStream.</summary>
    private ValueTask OnControlAsync(ReadOnlyMemory<byte> utf8)
    {
        if (_blackholed)
        {
            return ValueTask.CompletedTask;
        }

        _idle.Touch();
        string? type;
        try
        {
            using var document = JsonDocument.Parse(utf8);
            type = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("type", out var t)
                && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }
        catch (JsonException)
        {
            type = null;
        }

        switch (type)
        {
            case "KeepAlive":
                _record.CountKeepAlive();
                return ValueTask.CompletedTask;
            case "Finalize":
                _ = AnswerFinalizeAsync();
                return ValueTask.CompletedTask;
            case "CloseStream":
                return CloseStreamAsync();
            default:
                return BadMessageAsync(type is null ? "text message is not a JSON control message" : $"unknown control message type '{type}'");
        }
    }

    private async ValueTask BadMessageAsync(string problem)
    {
        Log.Rejected(_logger, _record.Id, problem);
        await CloseAsync(WebSocketCloseStatus.PolicyViolation, problem.Length > 120 ? problem[..120] : problem);
    }

    /// <summary>Finalize: after a short processing delay, the open utterance (or nothing) as a <c>from_finalize</c> result.</summary>
    private async Task AnswerFinalizeAsync()
    {
        try
        {
            await Task.Delay(_owner.Options.FinalizeDelay, _owner.Time, _done.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_gate)
        {
            // A stalled utterance gets no answer to Finalize either.
            if (!_withheld)
            {
                SendFinalLocked(speechFinal: false, fromFinalize: true);
            }
        }
    }

    /// <summary>CloseStream: final results for what is open, the Metadata summary, then a normal close.</summary>
    private async ValueTask CloseStreamAsync()
    {
        lock (_gate)
        {
            if (_open is not null)
            {
                SendFinalLocked(speechFinal: true, fromFinalize: false);
            }

            var sha256 = Convert.ToHexStringLower(_sha256.GetCurrentHash());
            var duration = Seconds(_position);
            Send(w => DeepgramServerWriter.WriteMetadata(w, _requestId, sha256, _owner.Time.GetUtcNow(), duration));
        }

        await CloseAsync(WebSocketCloseStatus.NormalClosure, "");
    }

    /// <summary>Deepgram closes a stream that gets neither audio nor KeepAlive within its window.</summary>
    private async Task CloseWhenIdleAsync()
    {
        if (await _idle.WaitForIdleAsync(_done.Token))
        {
            Log.Idle(_logger, _record.Id, _idle.Timeout.TotalSeconds);
            await CloseAsync(WebSocketCloseStatus.InternalServerError, "NET-0001: no audio or KeepAlive received within the timeout window");
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), _owner.Time);
        await _socket!.CloseAsync(status, reason, timeout.Token);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "deepgram simulator {Session}: stream ended: {End}")]
        public static partial void Ended(ILogger logger, string session, string end);

        [LoggerMessage(2, LogLevel.Warning, "deepgram simulator {Session}: rejected client message: {Problem}")]
        public static partial void Rejected(ILogger logger, string session, string problem);

        [LoggerMessage(3, LogLevel.Information, "deepgram simulator {Session}: idle for {Seconds} s, closing (NET-0001)")]
        public static partial void Idle(ILogger logger, string session, double seconds);

        [LoggerMessage(4, LogLevel.Warning, "deepgram simulator {Session}: fault injected, connection dropped after {Messages} messages")]
        public static partial void Dropped(ILogger logger, string session, int messages);

        [LoggerMessage(5, LogLevel.Warning, "deepgram simulator {Session}: fault {Fault} strikes")]
        public static partial void Fault(ILogger logger, string session, string fault);
    }
}
