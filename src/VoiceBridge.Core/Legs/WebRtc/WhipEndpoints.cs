using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// WHIP (RFC 9725) over minimal APIs: <c>POST {Path}</c> with an SDP offer creates a session
/// (<c>201 Created</c>, <c>Location: {Path}/{id}</c>, the SDP answer), <c>DELETE {Path}/{id}</c> ends it,
/// <c>OPTIONS</c> answers CORS preflights so a page on another origin can call it. Trickle ICE and ICE
/// restarts (<c>PATCH</c>) are refused with 405: the answer is ICE-lite with its only candidate and
/// <c>a=end-of-candidates</c>, and the browser's candidates are learnt from its STUN checks.
/// </summary>
public static partial class WhipEndpoints
{
    public const string SdpMediaType = "application/sdp";

    private const string Realm = "Bearer realm=\"VoiceBridge WHIP\"";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Maps the WHIP endpoint at <see cref="WhipOptions.Path"/>; sessions are created and ended through
    /// <paramref name="sessions"/>. Returns the route group, for conventions such as rate limiting.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> fail <see cref="WhipOptions.Validate"/>.</exception>
    public static RouteGroupBuilder MapWhip(this IEndpointRouteBuilder app, WhipOptions options, IWhipSessions sessions)
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
        byte[]? tokenHash = string.IsNullOrEmpty(options.BearerToken) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.BearerToken));
        var handler = new Handler(options, sessions, tokenHash, logger);
        RouteGroupBuilder group = app.MapGroup(options.Path);
        group.MapMethods("", [HttpMethods.Options], handler.PreflightAsync);
        group.MapPost("", handler.CreateAsync);
        group.MapMethods("/{id}", [HttpMethods.Options], handler.PreflightAsync);
        group.MapDelete("/{id}", handler.DeleteAsync);
        group.MapMethods("/{id}", [HttpMethods.Patch], handler.PatchAsync);
        return group;
    }

    private sealed class Handler(WhipOptions options, IWhipSessions sessions, byte[]? tokenHash, ILogger logger)
    {
        public Task PreflightAsync(HttpContext ctx)
        {
            AddCors(ctx);
            ctx.Response.Headers[HeaderNames.AccessControlAllowMethods] = "POST, DELETE, OPTIONS";
            ctx.Response.Headers[HeaderNames.AccessControlAllowHeaders] = "Authorization, Content-Type";
            ctx.Response.Headers[HeaderNames.AccessControlMaxAge] = "600";
            ctx.Response.Headers["Accept-Post"] = SdpMediaType;
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }

        public async Task CreateAsync(HttpContext ctx)
        {
            AddCors(ctx);
            if (!Authorize(ctx))
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

            WhipSessionResult session;
            try
            {
                session = await sessions.CreateAsync(offer!, ctx.RequestAborted);
            }
            catch (WhipUnavailableException e)
            {
                ctx.Response.Headers.RetryAfter = "5";
                await FailAsync(ctx, StatusCodes.Status503ServiceUnavailable, e.Message);
                return;
            }

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
            if (!Authorize(ctx))
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

        private void AddCors(HttpContext ctx)
        {
            string? origin = options.AllowedOrigin
                ?? (ctx.Connection.LocalIpAddress is { } local && IPAddress.IsLoopback(local) ? "*" : null);
            if (origin is not null)
            {
                ctx.Response.Headers[HeaderNames.AccessControlAllowOrigin] = origin;
                ctx.Response.Headers[HeaderNames.AccessControlExposeHeaders] = "Location";
            }
        }

        // Both sides are hashed first, so the comparison takes the same time whatever the token's length or content.
        private bool Authorize(HttpContext ctx)
        {
            if (tokenHash is null)
            {
                return true;
            }

            string header = ctx.Request.Headers.Authorization.ToString();
            bool bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
            if (bearer && CryptographicOperations.FixedTimeEquals(tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim()))))
            {
                return true;
            }

            Log.Unauthorized(logger, ctx.Request.Method, RemoteAddress(ctx), bearer ? "wrong token" : "no bearer token");
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            ctx.Response.Headers.WWWAuthenticate = bearer ? Realm + ", error=\"invalid_token\"" : Realm;
            return false;
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
