using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Remote;

public sealed partial class DeepgramSpeechToText
{
    private ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        if (!DeepgramWire.TryParse(utf8.Span, out var message, out var error))
        {
            return _delivery.ReportAsync($"malformed message skipped: {error}", false);
        }

        switch (message!.Kind)
        {
            case DeepgramMessageKind.Results:
                RequestId ??= message.RequestId;
                return OnResultsAsync(message);
            case DeepgramMessageKind.Metadata:
                RequestId = message.RequestId ?? RequestId;
                Log.Metadata(logger, RequestId);
                return ValueTask.CompletedTask;
            case DeepgramMessageKind.SpeechStarted:
            case DeepgramMessageKind.UtteranceEnd:
                // Turns come from the cascade's own VAD; Deepgram's speech events are informational.
                return ValueTask.CompletedTask;
            case DeepgramMessageKind.Error:
                return _delivery.ReportAsync($"provider error: {message.ErrorText}", false);
            default:
                return _delivery.ReportAsync($"unknown message type '{message.TypeName}' skipped", false);
        }
    }

    private ValueTask OnResultsAsync(DeepgramMessage results)
    {
        var text = results.Transcript.Trim();
        SpeechTranscript? transcript = null;
        var late = false;
        lock (_gate)
        {
            if (results.FromFinalize && !_finalizing)
            {
                // The watchdog already finalised this utterance and reported it without this part.
                late = text.Length > 0;
            }
            else
            {
                _finalSeen |= results.IsFinal;
                if (results.IsFinal && text.Length > 0)
                {
                    _segments.Add((text, results.Confidence));
                }

                if (results.IsFinal && results.FromFinalize)
                {
                    transcript = TakeFinalLocked();
                }
                else if (text.Length > 0)
                {
                    transcript = new SpeechTranscript(JoinLocked(results.IsFinal ? null : text), false, results.Confidence);
                }
            }
        }

        if (late)
        {
            return _delivery.ReportAsync($"from_finalize result arrived after the {options.FinalizeTimeout.TotalMilliseconds:0} ms finalize timeout; '{text}' dropped", false);
        }

        return transcript is null ? ValueTask.CompletedTask : _delivery.DeliverAsync(transcript);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "deepgram: connected to {Uri} (simulated: {Simulated})")]
        public static partial void Connected(ILogger logger, Uri uri, bool simulated);

        [LoggerMessage(3, LogLevel.Debug, "deepgram: metadata, request {RequestId}")]
        public static partial void Metadata(ILogger logger, string? requestId);

        [LoggerMessage(4, LogLevel.Warning, "deepgram: no from_finalize result within {TimeoutMs} ms; finalised with the segments received")]
        public static partial void FinalizeTimedOut(ILogger logger, double timeoutMs);

        [LoggerMessage(5, LogLevel.Warning, "deepgram: the server did not close within {TimeoutMs} ms of CloseStream")]
        public static partial void CloseTimedOut(ILogger logger, double timeoutMs);

        [LoggerMessage(7, LogLevel.Warning, "deepgram: no final result for the utterance, not even {TimeoutMs} ms after Finalize: the stream has stalled; no transcript")]
        public static partial void Stalled(ILogger logger, double timeoutMs);
    }
}
