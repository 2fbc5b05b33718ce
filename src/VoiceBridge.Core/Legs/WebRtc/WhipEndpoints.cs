using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;
using VoiceBridge.Operations;
using VoiceBridge.Security;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// WHIP (RFC 9725) over minimal APIs: <c>POST {Path}</c> with an SDP offer creates a session
/// (<c>201 Created</c>, <c>Location: {Path}/{id}</c>, the SDP answer), <c>DELETE {Path}/{id}</c> ends it,
/// <c>OPTIONS</c> answers CORS preflights so a page on another origin can call it. Trickle ICE and ICE
/// restarts (<c>PATCH</c>) are refused with 405: the answer is ICE-lite with its only candidate and
/// <c>a=end-of-candidates</c>, and the browser's candidates are learnt from its STUN checks.
/// A request without a valid bearer token (static or JWT) gets 401, a session over the call limits
/// 503 (node) or 429 (source); each refusal is counted in <see cref="Rejections"/>.
/// </summary>
public static partial class WhipEndpoints
{
    public const string SdpMediaType = "application/sdp";

    private const string Realm = "Bearer realm=\"VoiceBridge WHIP\"";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Maps the WHIP endpoint at <see cref="WhipOptions.Path"/>; sessions are created and ended through
    /// <paramref name="sessions"/>, each holding a place under <paramref name="limits"/> [none] until it ends.
    /// Returns the route group, for conventions such as rate limiting.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> fail <see cref="WhipOptions.Validate"/>.</exception>
    public static RouteGroupBuilder MapWhip(this IEndpointRouteBuilder app, WhipOptions options, IWhipSessions sessions, CallLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sessions);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid WHIP options: " + string.Join("; ", problems), nameof(options));
        }

        ILogger logger = (app.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(typeof(WhipEndpoints).FullName!);
        var handler = new Handler(options, sessions, new BearerAuthenticator(options.BearerToken, options.Jwt), limits ?? CallLimits.Unlimited, logger);
        RouteGroupBuilder group = app.MapGroup(options.Path);
        group.MapMethods("", [HttpMethods.Options], handler.PreflightAsync);
        group.MapPost("", handler.CreateAsync);
        group.MapMethods("/{id}", [HttpMethods.Options], handler.PreflightAsync);
        group.MapDelete("/{id}", handler.DeleteAsync);
        group.MapMethods("/{id}", [HttpMethods.Patch], handler.PatchAsync);
        return group;
    }

    /// <summary>Headers a proxy adds: a request carrying any came from elsewhere, whatever address it reached.</summary>
    private static readonly string[] ProxyHeaders = ["X-Forwarded-For", "Forwarded", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP"];

    /// <summary>The CORS headers of a WHIP response: the configured origin, or any for a request to a loopback listener that no proxy relayed.</summary>
    internal static void AddCors(HttpContext ctx, WhipOptions options)
    {
        bool local = ctx.Connection.LocalIpAddress is { } address && IPAddress.IsLoopback(address)
            && ctx.Connection.RemoteIpAddress is { } caller && IPAddress.IsLoopback(caller)
            && !ProxyHeaders.Any(ctx.Request.Headers.ContainsKey);
        string? origin = options.AllowedOrigin ?? (local ? "*" : null);
        if (origin is not null)
        {
            ctx.Response.Headers[HeaderNames.AccessControlAllowOrigin] = origin;
            ctx.Response.Headers[HeaderNames.AccessControlExposeHeaders] = "Location";
        }
    }

    private sealed class Handler(WhipOptions options, IWhipSessions sessions, BearerAuthenticator bearer, CallLimits limits, ILogger logger)
    {
        public Task PreflightAsync(HttpContext ctx)
        {
            AddCors(ctx);
            ctx.Response.Headers[HeaderNames.AccessControlAllowMethods] = "POST, DELETE, PATCH, OPTIONS";
            ctx.Response.Headers[HeaderNames.AccessControlAllowHeaders] = "Authorization, Content-Type, If-Match";
            ctx.Response.Headers[HeaderNames.AccessControlMaxAge] = "600";
            ctx.Response.Headers["Accept-Post"] = SdpMediaType;
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }

        public async Task CreateAsync(HttpContext ctx)
        {
            AddCors(ctx);
            if (!await AuthorizeAsync(ctx))
            {
                return;
            }

            if (!MediaTypeHeaderValue.TryParse(ctx.Request.ContentType, out MediaTypeHeaderValue? type)
                || !type.MediaType.Equals(SdpMediaType, StringComparison.OrdinalIgnoreCase))
            {
                ctx.Response.Headers["Accept-Post"] = SdpMediaType;
                await FailAsync(ctx, StatusCodes.Status415UnsupportedMediaType, $"the offer must be sent as {SdpMediaType}, not '{ctx.Request.ContentType}'");
                return;
            }

            (string? text, int status, string? error) = await ReadOfferAsync(ctx.Request, options.MaxOfferBytes, ctx.RequestAborted);
            if (text is null)
            {
                await FailAsync(ctx, status, error!);
                return;
            }

            if (!WebRtcOffer.TryParse(text, out WebRtcOffer? offer, out WebRtcOfferError? rejection))
            {
                await FailAsync(ctx, rejection!.HttpStatus, rejection.Message);
                return;
            }

            CallLimits.Lease? lease = limits.TryAdmit(ctx.Connection.RemoteIpAddress, out CallRefusal refusal);
            if (lease is null)
            {
                ctx.Response.Headers.RetryAfter = "30";
                await FailAsync(ctx, refusal == CallRefusal.NodeFull ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests, limits.Describe(refusal));
                return;
            }

            WhipSessionResult session;
            try
            {
                session = await sessions.CreateAsync(offer!, ctx.RequestAborted);
            }
            catch (WhipUnavailableException e)
            {
                lease.Dispose();
                ctx.Response.Headers.RetryAfter = "5";
                await FailAsync(ctx, StatusCodes.Status503ServiceUnavailable, e.Message);
                return;
            }
            catch
            {
                lease.Dispose();
                throw;
            }

            ReleaseWhenEnded(session.Completion, lease);

            ArgumentException.ThrowIfNullOrEmpty(session.Id, "WhipSessionResult.Id");
            ArgumentException.ThrowIfNullOrEmpty(session.AnswerSdp, "WhipSessionResult.AnswerSdp");
            Log.Created(logger, session.Id, RemoteAddress(ctx));
            ctx.Response.StatusCode = StatusCodes.Status201Created;
            ctx.Response.Headers.Location = $"{ctx.Request.PathBase}{options.Path}/{Uri.EscapeDataString(session.Id)}";
            ctx.Response.ContentType = SdpMediaType;
            await ctx.Response.WriteAsync(session.AnswerSdp, ctx.RequestAborted);
        }

        public async Task DeleteAsync(HttpContext ctx)
        {
            AddCors(ctx);
            if (!await AuthorizeAsync(ctx))
            {
                return;
            }

            string id = ctx.Request.RouteValues["id"] as string ?? "";
            if (await sessions.DeleteAsync(id, ctx.RequestAborted))
            {
                Log.Deleted(logger, id);
                ctx.Response.StatusCode = StatusCodes.Status200OK;
                return;
            }

            await FailAsync(ctx, StatusCodes.Status404NotFound, "no such WHIP session");
        }

        public Task PatchAsync(HttpContext ctx)
        {
            AddCors(ctx);
            ctx.Response.Headers.Allow = "DELETE, OPTIONS";
            return FailAsync(ctx, StatusCodes.Status405MethodNotAllowed, "this endpoint is ICE-lite and takes no trickled candidates or ICE restarts");
        }

        private void AddCors(HttpContext ctx) => WhipEndpoints.AddCors(ctx, options);

        private async ValueTask<bool> AuthorizeAsync(HttpContext ctx)
        {
            BearerVerdict verdict = await bearer.CheckAsync(ctx.Request.Headers.Authorization.ToString());
            if (verdict.Allowed)
            {
                return true;
            }

            Rejections.Count(Rejections.WhipAuth);
            Log.Unauthorized(logger, ctx.Request.Method, RemoteAddress(ctx), verdict.Reason!);
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            ctx.Response.Headers.WWWAuthenticate = verdict.Presented ? Realm + ", error=\"invalid_token\"" : Realm;
            return false;
        }

        // The session's place is freed when it ends; a session that cannot say when frees it at once.
        private static void ReleaseWhenEnded(Task? completion, CallLimits.Lease lease)
        {
            if (completion is null)
            {
                lease.Dispose();
                return;
            }

            completion.ContinueWith(static (_, state) => ((CallLimits.Lease)state!).Dispose(), lease, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private async Task FailAsync(HttpContext ctx, int status, string reason)
        {
            if (status != StatusCodes.Status404NotFound)
            {
                Log.Refused(logger, ctx.Request.Method, RemoteAddress(ctx), status, reason);
            }

            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            await ctx.Response.WriteAsync(reason + "\n", ctx.RequestAborted);
        }

        private static string RemoteAddress(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    // Bounded read: the declared length is checked first, and a body without one is cut off one byte past the limit.
    private static async Task<(string? Text, int Status, string? Error)> ReadOfferAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"the offer is {request.ContentLength} bytes; the limit is {maxBytes}");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            int length = 0;
            int read;
            while (length <= maxBytes && (read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), ct)) > 0)
            {
                length += read;
            }

            if (length > maxBytes)
            {
                return (null, StatusCodes.Status413PayloadTooLarge, $"the offer is over {maxBytes} bytes");
            }

            try
            {
                return (StrictUtf8.GetString(buffer, 0, length), StatusCodes.Status200OK, null);
            }
            catch (DecoderFallbackException)
            {
                return (null, StatusCodes.Status400BadRequest, "the offer is not UTF-8 text");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
