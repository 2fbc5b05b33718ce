using Microsoft.Extensions.Logging;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Realtime;

public sealed partial class RealtimeEngine
{
    private readonly RealtimeServerEvent _event = new();

    /// <summary>Server events that this client does not use (counted, not errors).</summary>
    public long UnknownEvents { get; private set; }

    private async Task ReceiveLoopAsync(MessageSocket socket, EngineStart start)
    {
        var end = await socket.ReceiveAsync(
            message => OnServerEventAsync(message, start),
            error => Log.BadEvent(logger, options.Name, error),
            _lifetime.Token);
        if (!_lifetime.IsCancellationRequested && !EndedBeforeReady(end.ToString()))
        {
            await Post(start, EngineEventKind.Closed, text: end.ToString());
        }
    }

    private ValueTask OnServerEventAsync(ReadOnlyMemory<byte> utf8, EngineStart start)
    {
        if (!RealtimeServerParser.TryParse(utf8.Span, _event, out var error))
        {
            Log.BadEvent(logger, options.Name, error ?? "unparsable event");
            return Post(start, EngineEventKind.Error, text: $"malformed server event: {error}");
        }

        var e = _event;
        switch (e.Type)
        {
            case RealtimeServerEventType.SessionUpdated:
                _sessionUpdated.TrySetResult();
                return ValueTask.CompletedTask;
            case RealtimeServerEventType.ConversationItemAdded:
                OnItemAdded(e.Item?.Id);
                return ValueTask.CompletedTask;
            case RealtimeServerEventType.InputAudioBufferSpeechStarted:
                return Post(start, EngineEventKind.SpeechStarted, e.ItemId, position: ToCallPosition(e.AudioStartMs));
            case RealtimeServerEventType.InputAudioBufferSpeechStopped:
                return Post(start, EngineEventKind.SpeechStopped, e.ItemId, position: ToCallPosition(e.AudioEndMs));
            case RealtimeServerEventType.InputAudioBufferCommitted:
                return Post(start, EngineEventKind.UserTurnCommitted, e.ItemId);
            case RealtimeServerEventType.InputAudioTranscriptionCompleted:
                return Post(start, EngineEventKind.UserTranscript, e.ItemId, text: e.Transcript ?? "");
            case RealtimeServerEventType.InputAudioTranscriptionFailed:
                return Post(start, EngineEventKind.UserTranscriptFailed, e.ItemId, text: e.Error?.Message);
            case RealtimeServerEventType.ResponseCreated:
                return Post(start, EngineEventKind.ResponseStarted, responseId: e.Response?.Id ?? e.ResponseId);
            case RealtimeServerEventType.ResponseOutputAudioDelta:
                return start.Events.PostAsync(new EngineEvent
                {
                    Kind = EngineEventKind.AgentAudio, Generation = start.Generation, ItemId = e.ItemId,
                    ResponseId = e.ResponseId, Audio = e.Audio.ToArray(),
                });
            case RealtimeServerEventType.ResponseOutputAudioDone:
                return Post(start, EngineEventKind.AgentAudioDone, e.ItemId, responseId: e.ResponseId);
            case RealtimeServerEventType.ResponseOutputAudioTranscriptDelta:
                return Post(start, EngineEventKind.AgentTranscriptDelta, e.ItemId, text: e.Delta ?? "");
            case RealtimeServerEventType.ResponseOutputAudioTranscriptDone:
                return Post(start, EngineEventKind.AgentTranscript, e.ItemId, text: e.Transcript ?? "");
            case RealtimeServerEventType.ResponseOutputItemDone when e.Item is { Type: RealtimeItemType.FunctionCall, Status: "completed" } call:
                // Only a completed call item runs (FAILOVER.md): arguments.done also comes for cancelled responses.
                return start.Events.PostAsync(new EngineEvent
                {
                    Kind = EngineEventKind.ToolCall, Generation = start.Generation, ItemId = call.Id,
                    CallId = call.CallId, Name = call.Name, Arguments = call.Arguments,
                });
            case RealtimeServerEventType.ResponseDone:
                return OnResponseDoneAsync(start, e.Response);
            case RealtimeServerEventType.Error:
                var err = e.Error;
                return Post(start, EngineEventKind.Error, text: $"{err?.Type} {err?.Code}: {err?.Message}".Trim(),
                    status: err?.Type == "invalid_request_error" ? "client-error" : "provider-error");
            case RealtimeServerEventType.Unknown:
                UnknownEvents++;
                return ValueTask.CompletedTask;
            default:
                return ValueTask.CompletedTask;
        }
    }

    private async ValueTask OnResponseDoneAsync(EngineStart start, RealtimeResponse? response)
    {
        foreach (var item in response?.Output ?? [])
        {
            if (item.Type == RealtimeItemType.Message && item.Id is not null)
            {
                await Post(start, EngineEventKind.AgentAudioDone, item.Id, responseId: response!.Id);
            }
        }

        var details = response?.StatusDetails;
        await Post(start, EngineEventKind.ResponseDone, responseId: response?.Id,
            status: (response?.Status ?? RealtimeResponseStatus.Unknown).ToString().ToLowerInvariant(),
            text: details is null ? null : $"{details.Type} {details.Reason} {details.ErrorMessage}".Trim());
    }

    private static ValueTask Post(EngineStart start, EngineEventKind kind, string? itemId = null, string? responseId = null,
        string? text = null, string? status = null, long position = 0) =>
        start.Events.PostAsync(new EngineEvent
        {
            Kind = kind, Generation = start.Generation, ItemId = itemId, ResponseId = responseId,
            Text = text, Status = status, Position = position,
        });

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Engine}: connected to {Uri} (simulated: {Simulated})")]
        public static partial void Connected(ILogger logger, string engine, Uri uri, bool simulated);

        [LoggerMessage(2, LogLevel.Warning, "{Engine}: bad server event: {Error}")]
        public static partial void BadEvent(ILogger logger, string engine, string error);

        [LoggerMessage(3, LogLevel.Information, "{Engine}: session ready, seeded with {Items} items: {AsItems} turns as items, {Summarised} summarised into the instructions, {Omitted} left out")]
        public static partial void Seeded(ILogger logger, string engine, int items, int asItems, int summarised, int omitted);
    }
}
