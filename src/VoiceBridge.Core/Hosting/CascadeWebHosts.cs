using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using VoiceBridge.Simulator.Cascade;
using VoiceBridge.Transport;

namespace VoiceBridge.Hosting;

/// <summary>The simulated cascade providers on Kestrel, at their providers' own paths.</summary>
public static class CascadeWebHosts
{
    public const string DeepgramListenPath = "/v1/listen";
    public const string ElevenLabsStreamInputPath = "/v1/text-to-speech/{voice}/stream-input";
    public const string OpenAiSpeechPath = "/v1/audio/speech";

    /// <summary>
    /// Maps the Deepgram-, ElevenLabs- and OpenAI-speech-style endpoints. A refused upgrade gets the
    /// provider's HTTP status and JSON error body (Deepgram also names it in a <c>dg-error</c> header);
    /// a planned connection fault refuses the connection (reset) or answers its status (429 with Retry-After).
    /// </summary>
    public static void MapCascadeSimulators(this WebApplication app, CascadeSimulator simulator)
    {
        app.UseWebSockets();
        app.Map(DeepgramListenPath, ctx => AcceptAsync(ctx, simulator.Deepgram.Admit, simulator.Deepgram.CheckUpgrade, simulator.Deepgram.HandleAsync, "dg-error"));
        app.Map(ElevenLabsStreamInputPath, ctx => AcceptAsync(ctx, simulator.ElevenLabs.Admit, simulator.ElevenLabs.CheckUpgrade, simulator.ElevenLabs.HandleAsync, null));
        app.MapPost(OpenAiSpeechPath, simulator.OpenAiSpeech.HandleAsync);
    }

    private static async Task AcceptAsync(
        HttpContext ctx,
        Func<ConnectRejection?> admit,
        Func<WebSocketRequest, ProviderRejection?> check,
        Func<WebSocket, WebSocketRequest, Task> handler,
        string? errorHeader)
    {
        switch (admit())
        {
            case { Status: null }:
                ctx.Abort();
                return;
            case { Status: { } status, RetryAfterSeconds: var retryAfter }:
                ctx.Response.StatusCode = status;
                if (retryAfter is { } seconds)
                {
                    ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await ctx.Response.WriteAsync($$"""{"error":"simulated failure with HTTP {{status}}"}""");
                return;
        }

        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            ctx.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await ctx.Response.WriteAsync("this endpoint takes a WebSocket upgrade\n");
            return;
        }

        var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new WebSocketRequest(new Uri($"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.Path}{ctx.Request.QueryString}"), headers);
        if (check(request) is { } rejection)
        {
            ctx.Response.StatusCode = rejection.Status;
            ctx.Response.ContentType = "application/json";
            if (errorHeader is not null)
            {
                ctx.Response.Headers[errorHeader] = rejection.Reason;
            }

            await ctx.Response.WriteAsync(rejection.JsonBody);
            return;
        }

        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        await handler(socket, request);
    }
}
