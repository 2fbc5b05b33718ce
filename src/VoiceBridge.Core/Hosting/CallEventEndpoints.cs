using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Call;

namespace VoiceBridge.Hosting;

/// <summary>
/// A live call seen from a browser: <c>GET /calls/{id}/events</c> streams the call's
/// <see cref="CallEventFeed"/> as Server-Sent Events (the call id, unguessable, is the capability:
/// a browser's EventSource cannot send a bearer token); <c>POST /calls/{id}/drill</c> forces a
/// failover of the current engine (an operator's drill, guarded by the bearer token when one is
/// set); <c>GET /</c> is the demo page that uses both with WHIP. Only browser calls are reachable
/// here, whose id is the WHIP session's 96 random bits: a SIP Call-ID is chosen by the caller and a
/// Twilio CallSid travels in webhooks, so neither is a capability (operators have the admin API).
/// </summary>
public static partial class CallEventEndpoints
{
    private const string BrowserLeg = "webrtc";

    /// <summary>
    /// Maps the feed, the drill and the demo page on calls of <paramref name="registry"/>.
    /// <paramref name="bearerToken"/>: the token the drill requires (WHIP's), none when null or empty.
    /// </summary>
    public static void MapCallEvents(this IEndpointRouteBuilder app, CallRegistry registry, string? bearerToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(registry);
        ILogger logger = (app.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(typeof(CallEventEndpoints).FullName!);
        byte[]? tokenHash = string.IsNullOrEmpty(bearerToken) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(bearerToken));
        app.MapGet("/calls/{id}/events", (HttpContext ctx, string id) => StreamAsync(ctx, registry, id));
        app.MapPost("/calls/{id}/drill", (HttpContext ctx, string id) => DrillAsync(ctx, registry, id, tokenHash, logger));
        app.MapGet("/", (HttpContext ctx) => DemoPage.WriteAsync(ctx));
    }

    private static async Task StreamAsync(HttpContext ctx, CallRegistry registry, string id)
    {
        if (registry.Find(id) is not { Leg: BrowserLeg } session)
        {
            await FailAsync(ctx, StatusCodes.Status404NotFound, "no such live browser call");
            return;
        }

        if (session.Events.Subscribe() is not { } subscription)
        {
            await FailAsync(ctx, StatusCodes.Status503ServiceUnavailable, $"the call already has {CallEventFeed.MaxSubscribers} watchers");
            return;
        }

        using (subscription)
        {
            ctx.Response.ContentType = "text/event-stream";
            ctx.Response.Headers.CacheControl = "no-cache";
            ctx.Response.Headers["X-Accel-Buffering"] = "no";
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            var buffer = new ArrayBufferWriter<byte>(1024);
            try
            {
                await foreach (CallEvent e in subscription.Reader.ReadAllAsync(ctx.RequestAborted))
                {
                    buffer.ResetWrittenCount();
                    WriteSse(buffer, e);
                    await ctx.Response.Body.WriteAsync(buffer.WrittenMemory, ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                }
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
            {
                // The watcher went away.
            }
        }
    }

    private static async Task DrillAsync(HttpContext ctx, CallRegistry registry, string id, byte[]? tokenHash, ILogger logger)
    {
        if (tokenHash is not null)
        {
            string header = ctx.Request.Headers.Authorization.ToString();
            bool bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
            if (!bearer || !CryptographicOperations.FixedTimeEquals(tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim()))))
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"VoiceBridge drill\"";
                await FailAsync(ctx, StatusCodes.Status401Unauthorized, bearer ? "wrong bearer token" : "a bearer token is required");
                return;
            }
        }

        if (registry.Find(id) is not { Leg: BrowserLeg } session)
        {
            await FailAsync(ctx, StatusCodes.Status404NotFound, "no such live browser call");
            return;
        }

        string by = ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        Log.Drill(logger, id, by);
        await session.DrillAsync(by, ctx.RequestAborted);
        ctx.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    /// <summary>One SSE message: <c>event: {kind}</c> and the event as one line of JSON.</summary>
    internal static void WriteSse(IBufferWriter<byte> output, CallEvent e)
    {
        string kind = e.Kind switch
        {
            CallEventKind.Caption => "caption",
            CallEventKind.Engine => "engine",
            CallEventKind.Switch => "switch",
            _ => "ended",
        };
        output.Write("event: "u8);
        output.Write(Encoding.UTF8.GetBytes(kind));
        output.Write("\ndata: "u8);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("type", kind);
            json.WriteNumber("atMs", e.AtMs);
            WriteIfSet(json, "role", e.Role);
            WriteIfSet(json, "engine", e.Engine);
            WriteIfSet(json, "text", e.Text);
            WriteIfSet(json, "itemId", e.ItemId);
            if (e.Kind == CallEventKind.Caption)
            {
                json.WriteBoolean("final", e.Final);
            }

            WriteIfSet(json, "from", e.From);
            WriteIfSet(json, "to", e.To);
            WriteIfSet(json, "reason", e.Reason);
            if (e.HandoffMs is { } handoff)
            {
                json.WriteNumber("handoffMs", handoff);
            }

            json.WriteEndObject();
        }

        output.Write("\n\n"u8);
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static async Task FailAsync(HttpContext ctx, int status, string reason)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(reason + "\n", ctx.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Call {CallId}: failover drill requested by {By}")]
        public static partial void Drill(ILogger logger, string callId, string by);
    }
}
