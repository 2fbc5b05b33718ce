using System.Text;
using Microsoft.Extensions.Logging;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Remote;

public sealed partial class OpenAiTranscriptionSpeechToText
{
    /// <summary>The server's answer to a commit of too little audio: the utterance has no words.</summary>
    private const string CommitEmptyCode = "input_audio_buffer_commit_empty";

    private readonly RealtimeServerEvent _event = new();
    private readonly Dictionary<string, StringBuilder> _interim = new(StringComparer.Ordinal);

    private ValueTask OnMessageAsync(ReadOnlyMemory<byte> utf8)
    {
        if (!RealtimeServerParser.TryParse(utf8.Span, _event, out var error))
        {
            return _delivery.ReportAsync($"malformed event skipped: {error}", false);
        }

        var e = _event;
        switch (e.Type)
        {
            case RealtimeServerEventType.InputAudioTranscriptionDelta:
                return OnDeltaAsync(e.ItemId ?? "", e.Delta!);
            case RealtimeServerEventType.InputAudioTranscriptionCompleted:
                _interim.Remove(e.ItemId ?? "");
                var confidence = e.MeanLogprob is { } mean ? Math.Clamp(Math.Exp(mean), 0, 1) : (double?)null;
                return _delivery.DeliverAsync(new SpeechTranscript(e.Transcript!.Trim(), true, confidence));
            case RealtimeServerEventType.InputAudioTranscriptionFailed:
                _interim.Remove(e.ItemId ?? "");
                return FailUtteranceAsync($"transcription failed: {e.Error!.Message}");
            case RealtimeServerEventType.Error when e.Error!.Code == CommitEmptyCode:
                return FailUtteranceAsync($"provider error: {e.Error.Message}");
            case RealtimeServerEventType.Error:
                return _delivery.ReportAsync($"provider error: {e.Error!.Code ?? e.Error.Type}: {e.Error.Message}", _socket?.State is not System.Net.WebSockets.WebSocketState.Open);
            default:
                // Session echoes, commits, speech and item events: informational for a transcription stage.
                return ValueTask.CompletedTask;
        }
    }

    private ValueTask OnDeltaAsync(string itemId, string delta)
    {
        if (!_interim.TryGetValue(itemId, out var text))
        {
            _interim[itemId] = text = new StringBuilder();
        }

        text.Append(delta);
        var interim = text.ToString().Trim();
        return interim.Length == 0 ? ValueTask.CompletedTask : _delivery.DeliverAsync(new SpeechTranscript(interim, false, null));
    }

    /// <summary>An utterance that got no transcript still ends: an empty final, and a non-fatal report.</summary>
    private async ValueTask FailUtteranceAsync(string problem)
    {
        await _delivery.DeliverAsync(new SpeechTranscript("", true, null));
        await _delivery.ReportAsync(problem, false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "openai transcription: connected to {Uri} (simulated: {Simulated})")]
        public static partial void Connected(ILogger logger, Uri uri, bool simulated);
    }
}
