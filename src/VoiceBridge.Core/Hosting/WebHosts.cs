using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Simulator;
using VoiceBridge.Transport;

namespace VoiceBridge.Hosting;

/// <summary>The HTTP surfaces of the bridge and of the simulator on Kestrel.</summary>
public static class WebHosts
{
    public const string TwilioMediaPath = "/twilio/media";
    public const string RealtimePath = "/v1/realtime";

    /// <summary>Maps the Twilio webhook, the media WebSocket (signature-checked when a token is set) and /health.</summary>
    public static void MapBridge(this WebApplication app, BridgeComposition bridge)
    {
        app.UseWebSockets();
        app.MapTwilioVoiceWebhook(TwilioMediaPath, bridge.TwilioContinuity, () => !bridge.Limits.Full);
        var verifier = new TwilioSignatureVerifier(app.Services.GetRequiredService<IOptions<TwilioOptions>>().Value);
        app.Map(TwilioMediaPath, async ctx =>
        {
            if (!TwilioEndpoints.VerifyWebSocketUpgrade(ctx, verifier))
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            // Twilio's media servers carry every caller, so only the node's limit applies, not the per-source one.
            using var lease = bridge.Limits.TryAdmit(null, out _);
            if (lease is null)
            {
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await AcceptAsync(ctx, (socket, request) => bridge.HandleTwilioMediaAsync(socket, request, verifier));
        });
        app.MapGet("/health", () => Results.Ok(new { status = "ok", liveCalls = bridge.Registry.Live.Count }));
    }

    /// <summary>Maps the simulated Realtime endpoint.</summary>
    public static void MapSimulator(this WebApplication app, RealtimeSimulator simulator)
    {
        app.UseWebSockets();
        app.Map(RealtimePath, async ctx =>
        {
            switch (simulator.Admit())
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

                    return;
            }

            await AcceptAsync(ctx, simulator.HandleAsync);
        });
        app.MapGet("/health", () => Results.Ok(new { status = "ok", simulated = true }));
    }

    /// <summary>A web app on an ephemeral 127.0.0.1 port, logging through <paramref name="loggers"/>, mapped and started.</summary>
    public static async Task<WebApplication> StartLoopbackAsync(ILoggerFactory loggers, Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        services(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>The first http:// address Kestrel bound, as a ws:// base URI.</summary>
    public static Uri WebSocketBase(this WebApplication app)
    {
        var http = app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal));
        return new Uri("ws://" + http["http://".Length..].TrimEnd('/'));
    }

    private static async Task AcceptAsync(HttpContext ctx, Func<WebSocket, WebSocketRequest, Task> handler)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            ctx.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await ctx.Response.WriteAsync("this endpoint takes a WebSocket upgrade\n");
            return;
        }

        var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var uri = new Uri($"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.Path}{ctx.Request.QueryString}");
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        await handler(socket, new WebSocketRequest(uri, headers));
    }
}
