using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Prometheus;
using VoiceBridge.Call;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Operations;

namespace VoiceBridge.Hosting;

/// <summary>
/// The operator's HTTP surface (docs/operations.md): <c>GET /ready</c>, <c>GET /metrics</c>, and the
/// drain gate that answers a new call 503 (with Retry-After) once the node drains: the Twilio
/// webhook, the Twilio media upgrade and the WHIP offer. Requests about calls already running
/// (a WHIP DELETE, the admin API) pass.
/// </summary>
public static class OperationsEndpoints
{
    public const string ReadyPath = "/ready";
    public const string MetricsPath = "/metrics";

    /// <summary>Retry-After of a refused call, in seconds: long enough for a draining node to be gone.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>
    /// Maps <c>/ready</c> and <c>/metrics</c> and refuses new calls while <paramref name="registry"/> is not
    /// accepting; <paramref name="whip"/>: the WHIP endpoint, if on (its refusal carries WHIP's CORS
    /// headers, so a widget on another origin can read the 503 and its Retry-After).
    /// </summary>
    public static void MapOperations(this WebApplication app, Readiness readiness, PrometheusExport metrics, CallRegistry registry, WhipOptions? whip = null)
    {
        app.Use(async (ctx, next) =>
        {
            if (!registry.Accepting && IsNewCall(ctx.Request, whip?.Path))
            {
                if (whip is not null && IsWhipOffer(ctx.Request, whip.Path))
                {
                    WhipEndpoints.AddCors(ctx, whip);
                }

                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                ctx.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ctx.Response.WriteAsync("draining: this node takes no new calls\n");
                return;
            }

            await next(ctx);
        });
        app.MapGet(ReadyPath, () =>
        {
            var report = readiness.Check();
            return Results.Json(report, statusCode: report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapMetrics(MetricsPath, metrics.Registry);
    }

    /// <summary>Whether the request would start a call.</summary>
    public static bool IsNewCall(HttpRequest request, string? whipPath) =>
        (HttpMethods.IsPost(request.Method) && request.Path.Equals(TwilioEndpoints.VoicePath, StringComparison.OrdinalIgnoreCase))
        || request.Path.Equals(WebHosts.TwilioMediaPath, StringComparison.OrdinalIgnoreCase)
        || (whipPath is not null && IsWhipOffer(request, whipPath));

    private static bool IsWhipOffer(HttpRequest request, string whipPath) =>
        HttpMethods.IsPost(request.Method) && request.Path.Equals(whipPath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Drains the node when the host stops (SIGTERM, SIGINT): in <see cref="StoppingAsync"/>, which the
/// host runs before it stops any service, so Kestrel still serves the calls in progress (and
/// <c>/ready</c> says 503) while they finish. The host's ShutdownTimeout must exceed the drain's limits.
/// </summary>
public sealed class DrainOnShutdown(CallDrain drain) : IHostedLifecycleService
{
    /// <summary>What the drain did, once the host has stopped.</summary>
    public DrainResult? Result { get; private set; }

    public async Task StoppingAsync(CancellationToken cancellationToken) => Result = await drain.DrainAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
