using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// ElevenLabs' stream-input WebSocket as a cascade text-to-speech stage: one connection per
/// <see cref="SpeakAsync"/>, <c>output_format=ulaw_8000</c> so the audio is the call's own
/// format. Text chunks go out as they come; audio chunks are yielded as they arrive, until
/// <c>isFinal</c>. Any failure (refused upgrade, provider error, bad message, a socket that ends
/// early or goes silent) throws <see cref="TextToSpeechException"/>.
/// </summary>
public sealed partial class ElevenLabsTextToSpeech(
    ElevenLabsOptions options,
    IWebSocketConnector connector,
    TimeProvider time,
    ILogger<ElevenLabsTextToSpeech> logger) : ITextToSpeech
{
    public string Name => "elevenlabs";

    public async IAsyncEnumerable<byte[]> SpeakAsync(IAsyncEnumerable<string> text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(cancellationToken);
        await using var stream = new ElevenLabsStream(socket, options, time);
        stream.Start(text, cancellationToken);
        var audio = stream.Audio;
        while (await audio.WaitToReadAsync(cancellationToken))
        {
            while (audio.TryRead(out var chunk))
            {
                yield return chunk;
            }
        }

        Log.Spoken(logger, stream.AudioBytes);
    }

    private async Task<WebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new TextToSpeechException("elevenlabs: invalid options: " + string.Join("; ", problems));
        }

        var uri = options.StreamInputUri;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            headers["xi-api-key"] = options.ApiKey;
        }

        try
        {
            var socket = await connector.ConnectWithinAsync(uri, headers, options.ConnectTimeout, time, cancellationToken);
            Log.Connected(logger, uri, options.Simulated);
            return socket;
        }
        catch (ConnectFailedException e)
        {
            throw new TextToSpeechException($"elevenlabs: {e.Message}", e) { StatusCode = e.HttpStatus };
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "elevenlabs: connected to {Uri} (simulated: {Simulated})")]
        public static partial void Connected(ILogger logger, Uri uri, bool simulated);

        [LoggerMessage(2, LogLevel.Debug, "elevenlabs: spoke {Bytes} bytes of mu-law")]
        public static partial void Spoken(ILogger logger, long bytes);
    }
}
