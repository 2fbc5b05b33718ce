using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// The Twilio voice webhook, and the signature check for the Media Streams WebSocket upgrade.
/// Rejections are counted in <see cref="TwilioCounters"/> when one is registered.
/// </summary>
public static class TwilioEndpoints
{
    public const string VoicePath = "/twilio/voice";
    public const string SignatureHeader = "X-Twilio-Signature";

    private static readonly string[] ForwardedParameters = ["CallSid", "From", "To"];

    /// <summary>
    /// Maps <c>POST /twilio/voice</c>. With an auth token configured (<see cref="IOptions{TwilioOptions}"/>),
    /// a request without a valid signature gets 403. Otherwise the answer is <c>text/xml</c> TwiML connecting the
    /// call to <paramref name="mediaPath"/>: on PublicBaseUrl with http→ws, https→wss, or without one on the
    /// request's own host; CallSid, From and To go along as stream parameters.
    /// </summary>
    /// <exception cref="ArgumentException">The Twilio options are invalid, or <paramref name="mediaPath"/> does not start with '/'.</exception>
    public static IEndpointConventionBuilder MapTwilioVoiceWebhook(this IEndpointRouteBuilder app, string mediaPath = "/twilio/media")
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(mediaPath);
        if (!mediaPath.StartsWith('/'))
        {
            throw new ArgumentException($"'{mediaPath}' must start with '/'.", nameof(mediaPath));
        }

        TwilioOptions options = app.ServiceProvider.GetRequiredService<IOptions<TwilioOptions>>().Value;
        var verifier = new TwilioSignatureVerifier(options);
        string? publicStreamUrl = TwilioPublicUrl.Base(options) is { } baseUrl ? TwilioPublicUrl.ToWebSocket(baseUrl) + mediaPath : null;
        RequestDelegate answer = ctx => AnswerAsync(ctx, verifier, publicStreamUrl, mediaPath);
        return app.MapPost(VoicePath, answer);
    }

    /// <summary>
    /// Checks the signature of a Media Streams WebSocket upgrade: true when it is valid or no auth token is
    /// configured. On false the caller should answer 403 without accepting the WebSocket.
    /// </summary>
    public static bool VerifyWebSocketUpgrade(HttpContext ctx, TwilioSignatureVerifier v)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(v);
        if (!v.IsEnabled || v.IsValidWebSocket(TwilioPublicUrl.PathAndQuery(ctx.Request), ctx.Request.Headers[SignatureHeader]))
        {
            return true;
        }

        CountRejection(ctx);
        return false;
    }

    private static async Task AnswerAsync(HttpContext ctx, TwilioSignatureVerifier verifier, string? publicStreamUrl, string mediaPath)
    {
        HttpRequest request = ctx.Request;
        IFormCollection form = request.HasFormContentType ? await request.ReadFormAsync(ctx.RequestAborted) : FormCollection.Empty;
        if (verifier.IsEnabled && !verifier.IsValid(TwilioPublicUrl.PathAndQuery(request), Flatten(form), request.Headers[SignatureHeader]))
        {
            CountRejection(ctx);
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in ForwardedParameters)
        {
            if (form.TryGetValue(name, out StringValues value) && !StringValues.IsNullOrEmpty(value))
            {
                parameters[name] = value.ToString();
            }
        }

        string streamUrl = publicStreamUrl
            ?? $"{(request.IsHttps ? "wss" : "ws")}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{mediaPath}";
        ctx.Response.ContentType = "text/xml; charset=utf-8";
        await ctx.Response.WriteAsync(TwilioTwiml.ConnectStream(streamUrl, parameters), ctx.RequestAborted);
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(IFormCollection form) =>
        form.SelectMany(field => field.Value.Select(value => KeyValuePair.Create(field.Key, value ?? string.Empty)));

    private static void CountRejection(HttpContext ctx) =>
        ctx.RequestServices?.GetService<TwilioCounters>()?.CountSignatureRejected();
}
