using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Simulator.Cascade;

internal sealed partial class ElevenLabsSimulatorSession
{
    private void Send(Action<Utf8JsonWriter> write)
    {
        lock (_sendGate)
        {
            if (Volatile.Read(ref _closing) != 0 || _silenced)
            {
                return;
            }

            _out.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(_out))
            {
                write(w);
            }

            _socket!.TrySend(_out.WrittenSpan);
        }
    }

    /// <summary>ElevenLabs reports a problem in-band, then closes with 1008 (policy violation).</summary>
    private async ValueTask FailAsync(string error, string message)
    {
        Log.Failed(_logger, _record.Id, error, message);
        Send(w => ElevenLabsServerWriter.WriteError(w, error, message));
        await CloseAsync(WebSocketCloseStatus.PolicyViolation, message.Length > 120 ? message[..120] : message);
    }

    private async Task EndWhenIdleAsync()
    {
        if (await _idle.WaitForIdleAsync(_done.Token) && !_inputEnded)
        {
            var seconds = _idle.Timeout.TotalSeconds;
            await FailAsync("input_timeout_exceeded",
                $"Have not received a new text input within the timeout of {seconds:0.#} seconds. Streaming input terminated. "
                + "Please make sure to either feed the input in the timely manner, or to send the end of input text (empty string \"\") when done.");
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        lock (_sendGate)
        {
            if (Interlocked.Exchange(ref _closing, 1) != 0)
            {
                return;
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), _owner.Time);
        await _socket!.CloseAsync(status, reason, timeout.Token);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "elevenlabs simulator {Session}: stream opened at {Path}")]
        public static partial void Opened(ILogger logger, string session, string path);

        [LoggerMessage(2, LogLevel.Information, "elevenlabs simulator {Session}: stream ended: {End}")]
        public static partial void Ended(ILogger logger, string session, string end);

        [LoggerMessage(3, LogLevel.Warning, "elevenlabs simulator {Session}: {Error}: {Message}")]
        public static partial void Failed(ILogger logger, string session, string error, string message);

        [LoggerMessage(4, LogLevel.Warning, "elevenlabs simulator {Session}: fault injected, connection dropped after {Chunks} audio chunks")]
        public static partial void Dropped(ILogger logger, string session, int chunks);

        [LoggerMessage(5, LogLevel.Warning, "elevenlabs simulator {Session}: fault {Fault} strikes")]
        public static partial void Fault(ILogger logger, string session, string fault);
    }
}
