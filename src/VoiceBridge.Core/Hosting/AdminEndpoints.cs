using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VoiceBridge.Hosting;

/// <summary>
/// The admin API (docs/failover.md, "Fire drills"): <c>GET /admin/calls</c>, <c>POST /admin/drills</c>
/// and <c>GET /admin/drills/{id}</c>, JSON both ways, behind <see cref="AdminAccess"/>. A refused
/// request gets 401 with <c>WWW-Authenticate: Bearer</c>; it is counted and logged without the token.
/// </summary>
public static partial class AdminEndpoints
{
    /// <summary>The largest request body read.</summary>
    public const int MaxBodyBytes = 4096;

    private static readonly JsonSerializerOptions RequestJson = new(AdminJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Maps the admin API on <paramref name="drills"/>; nothing is mapped (every path 404) when <paramref name="access"/> is off.</summary>
    public static void MapAdmin(this IEndpointRouteBuilder app, AdminDrills drills, AdminAccess access)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(drills);
        ArgumentNullException.ThrowIfNull(access);
        if (access.Mode == AdminMode.Off)
        {
            return;
        }

        ILogger logger = (app.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(typeof(AdminEndpoints).FullName!);
        app.MapGet("/admin/calls", (HttpContext ctx) => Guarded(ctx, access, logger, () => WriteAsync(ctx, StatusCodes.Status200OK, drills.Calls())));
        app.MapPost("/admin/drills", (HttpContext ctx) => Guarded(ctx, access, logger, () => StartAsync(ctx, drills)));
        app.MapGet("/admin/drills/{id}", (HttpContext ctx, string id) => Guarded(ctx, access, logger, () => drills.Find(id) is { } drill
            ? WriteAsync(ctx, StatusCodes.Status200OK, drill)
            : WriteAsync(ctx, StatusCodes.Status404NotFound, new AdminError($"no drill '{id}'"))));
    }

    private static async Task Guarded(HttpContext ctx, AdminAccess access, ILogger logger, Func<Task> handle)
    {
        var verdict = await access.CheckAsync(ctx.Request.Headers.Authorization.ToString());
        if (verdict.Allowed)
        {
            await handle();
            return;
        }

        Log.Refused(logger, ctx.Request.Method, ctx.Request.Path.ToString(), ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown", verdict.Reason!, access.Refused);
        ctx.Response.Headers.WWWAuthenticate = verdict.Presented
            ? "Bearer realm=\"VoiceBridge admin\", error=\"invalid_token\""
            : "Bearer realm=\"VoiceBridge admin\"";
        await WriteAsync(ctx, StatusCodes.Status401Unauthorized, new AdminError(verdict.Reason!));
    }

    private static async Task StartAsync(HttpContext ctx, AdminDrills drills)
    {
        var body = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < body.Length && (read = await ctx.Request.Body.ReadAsync(body.AsMemory(length), ctx.RequestAborted)) > 0)
        {
            length += read;
        }

        if (length > MaxBodyBytes)
        {
            await WriteAsync(ctx, StatusCodes.Status413PayloadTooLarge, new AdminError($"the body is over {MaxBodyBytes} bytes"));
            return;
        }

        AdminDrillRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<AdminDrillRequest>(body.AsSpan(0, length), RequestJson);
        }
        catch (JsonException e)
        {
            await WriteAsync(ctx, StatusCodes.Status400BadRequest, new AdminError(
                $"the body is not a drill: {e.Message} (expected {{\"call\":\"ID\",\"fault\":\"primary:close\"}} or {{\"share\":50,\"durationS\":60,\"fault\":\"primary:close@turn2\"}})"));
            return;
        }

        if (request is null)
        {
            await WriteAsync(ctx, StatusCodes.Status400BadRequest, new AdminError("the body is empty; expected a drill as JSON"));
            return;
        }

        var (status, drill, error) = drills.Start(request, $"admin API from {ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown"}");
        if (drill is null)
        {
            await WriteAsync(ctx, status, new AdminError(error ?? "refused"));
            return;
        }

        ctx.Response.Headers.Location = $"/admin/drills/{drill.Id}";
        await WriteAsync(ctx, status, drill);
    }

    private static async Task WriteAsync<T>(HttpContext ctx, int status, T value)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, value, AdminJson.Options, ctx.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Admin API: {Method} {Path} from {Remote} refused: {Why} ({Refused} refused so far)")]
        public static partial void Refused(ILogger logger, string method, string path, string remote, string why, long refused);
    }
}
