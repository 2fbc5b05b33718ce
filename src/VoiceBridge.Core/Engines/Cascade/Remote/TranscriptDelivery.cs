using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// What a remote speech-to-text client hands the cascade: transcripts, and problems named with the
/// stage's prefix and logged. A listener that throws is logged and never ends the receive loop
/// (CONVENTIONS.md #4); once <see cref="Stop"/> is called (the client is disposing) nothing more is
/// delivered.
/// </summary>
internal sealed partial class TranscriptDelivery(string stage, ILogger logger)
{
    private volatile ISpeechToTextEvents? _events;

    public void Start(ISpeechToTextEvents events) => _events = events;

    public void Stop() => _events = null;

    /// <summary>
    /// Receives until the socket ends: a binary message (these protocols send JSON) and a bad message
    /// are reported and skipped; the socket's end is a fatal problem unless the client is stopping.
    /// </summary>
    public async Task ReceiveAsync(MessageSocket socket, Func<ReadOnlyMemory<byte>, ValueTask> onMessage, CancellationToken cancellationToken)
    {
        var end = await socket.ReceiveAsync(
            onMessage,
            data => ReportAsync($"binary message of {data.Length} bytes where JSON was expected; skipped", false),
            error => ReportAsync(error, false),
            cancellationToken);
        if (_events is not null)
        {
            await ReportAsync($"connection ended: {end}", true);
        }
    }

    public async ValueTask DeliverAsync(SpeechTranscript transcript)
    {
        if (_events is not { } events)
        {
            return;
        }

        try
        {
            await events.OnTranscriptAsync(transcript);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ListenerFailed(logger, stage, e);
        }
    }

    public async ValueTask ReportAsync(string problem, bool fatal)
    {
        var message = $"{stage}: {problem}";
        Log.Problem(logger, message, fatal);
        if (_events is not { } events)
        {
            return;
        }

        try
        {
            await events.OnErrorAsync(message, fatal);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ListenerFailed(logger, stage, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Message} (fatal: {Fatal})")]
        public static partial void Problem(ILogger logger, string message, bool fatal);

        [LoggerMessage(2, LogLevel.Error, "{Stage}: a transcript listener threw")]
        public static partial void ListenerFailed(ILogger logger, string stage, Exception exception);
    }
}
