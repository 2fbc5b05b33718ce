using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using VoiceBridge.Simulator;

namespace VoiceBridge.Load;

/// <summary>
/// The control a load generator uses on a simulator started with <c>--load</c>, loopback only:
/// <c>GET /load/hops</c> (hop-in figures and tagged frames received; <c>?reset=true</c> starts
/// afresh after reading, <c>&amp;lateMs=N</c> with N ms of hop in counting as late from then on) and <c>POST /load/storm</c> (every session dropped now).
/// </summary>
public static class LoadProbeEndpoints
{
    public const string HopsPath = "/load/hops";

    public const string StormPath = "/load/storm";

    public static void MapLoadProbe(this WebApplication app, LoadProbe probe)
    {
        app.MapGet(HopsPath, (HttpContext ctx) =>
        {
            if (!IsLoopback(ctx))
            {
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }

            long? lateMicros = null;
            if (ctx.Request.Query["lateMs"] is { Count: > 0 } late)
            {
                if (ctx.Request.Query["reset"] != "true")
                {
                    return Results.BadRequest(new { error = "lateMs takes effect on a reset: add reset=true" });
                }

                if (!int.TryParse(late, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) || ms is < 1 or > 60_000)
                {
                    return Results.BadRequest(new { error = $"lateMs '{late}': a whole number of milliseconds from 1 to 60000" });
                }

                lateMicros = ms * 1000L;
            }

            var snapshot = probe.Snapshot();
            if (ctx.Request.Query["reset"] == "true")
            {
                probe.Reset(lateMicros);
            }

            return Results.Json(snapshot, LoadJson.Options);
        });
        app.MapPost(StormPath, (HttpContext ctx) =>
            IsLoopback(ctx) ? Results.Json(new { dropped = probe.Storm() }, LoadJson.Options) : Results.StatusCode(StatusCodes.Status403Forbidden));
    }

    private static bool IsLoopback(HttpContext ctx) => ctx.Connection.RemoteIpAddress is { } ip && System.Net.IPAddress.IsLoopback(ip);
}

/// <summary>
/// Every caller turn "transcribed" as the same line, so the simulator answers each with the same
/// reply (spoken once, then served from the synthesizer's cache: pre-rendered audio) and spends no
/// CPU recognising speech while the bridge is measured.
/// </summary>
public sealed class FixedTranscript(string line) : ISimulatedRecognizer
{
    /// <summary>A line the built-in script answers with speech and no tool call.</summary>
    public const string Default = "Tomorrow afternoon, if possible.";

    public string Recognize(ReadOnlySpan<short> pcm8k) => line;
}
