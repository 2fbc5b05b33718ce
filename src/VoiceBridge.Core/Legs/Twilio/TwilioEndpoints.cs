using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using VoiceBridge.Operations;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// The Twilio voice webhook, and the signature check for the Media Streams WebSocket upgrade.
/// Rejections are counted in <see cref="Rejections"/>, and in <see cref="TwilioCounters"/> when one is registered.
/// </summary>
public static class TwilioEndpoints
{
    public const string VoicePath = "/twilio/voice";
    public const string SignatureHeader = "X-Twilio-Signature";

    /// <summary>Where Twilio asks what to do when a call's stream ends (the <c>&lt;Connect action&gt;</c>).</summary>
    public const string ResumePath = "/twilio/resume";

    /// <summary>The stream parameter (value <c>1</c>) that marks a stream as a lost stream's continuation.</summary>
    public const string ResumeParameter = "VoiceBridgeResume";

    private static readonly string[] ForwardedParameters = ["CallSid", "From", "To"];

    /// <summary>
    /// Maps <c>POST /twilio/voice</c>. With an auth token configured (<see cref="IOptions{TwilioOptions}"/>),
    /// a request without a valid signature gets 403. Otherwise the answer is <c>text/xml</c> TwiML connecting the
    /// call to <paramref name="mediaPath"/>: on PublicBaseUrl with http→ws, https→wss, or without one on the
    /// request's own host; CallSid, From and To go along as stream parameters. With <paramref name="continuity"/>
    /// the <c>&lt;Connect&gt;</c> has <see cref="ResumePath"/> as its action, mapped here too
    /// (<see cref="TwilioResumeEndpoint"/>): a call whose stream is lost goes on on a new one. While
    /// <paramref name="admitting"/> says no (the node holds its most calls) a new call gets 503, so Twilio
    /// turns to the number's fallback URL, instead of TwiML whose stream would then be refused (a
    /// draining node's gate answers 503 before this, docs/operations.md).
    /// </summary>
    /// <exception cref="ArgumentException">The Twilio options are invalid, or <paramref name="mediaPath"/> does not start with '/'.</exception>
    public static IEndpointConventionBuilder MapTwilioVoiceWebhook(this IEndpointRouteBuilder app, string mediaPath = "/twilio/media", ITwilioCallContinuity? continuity = null, Func<bool>? admitting = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(mediaPath);
        if (!mediaPath.StartsWith('/'))
        {
            throw new ArgumentException($"'{mediaPath}' must start with '/'.", nameof(mediaPath));
        }

        TwilioOptions options = app.ServiceProvider.GetRequiredService<IOptions<TwilioOptions>>().Value;
        var verifier = new TwilioSignatureVerifier(options);
        var target = new TwilioStreamTarget(TwilioPublicUrl.Base(options), mediaPath, continuity is not null);
        RequestDelegate answer = ctx => AnswerAsync(ctx, verifier, target, admitting ?? (() => true));
        if (continuity is not null)
        {
            app.MapTwilioResumeWebhook(verifier, target, continuity);
        }

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

    /// <summary>The webhook's form once its signature checked out; null after answering 403.</summary>
    internal static async Task<IFormCollection?> ReadVerifiedFormAsync(HttpContext ctx, TwilioSignatureVerifier verifier)
    {
        HttpRequest request = ctx.Request;
        IFormCollection form = request.HasFormContentType ? await request.ReadFormAsync(ctx.RequestAborted) : FormCollection.Empty;
        if (verifier.IsEnabled && !verifier.IsValid(TwilioPublicUrl.PathAndQuery(request), Flatten(form), request.Headers[SignatureHeader]))
        {
            CountRejection(ctx);
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            return null;
        }

        return form;
    }

    /// <summary>CallSid, From and To from the webhook's form, as stream parameters, and the call's stream token when signatures are checked.</summary>
    internal static Dictionary<string, string> StreamParameters(IFormCollection form, TwilioSignatureVerifier verifier)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in ForwardedParameters)
        {
            if (form.TryGetValue(name, out StringValues value) && !StringValues.IsNullOrEmpty(value))
            {
                parameters[name] = value.ToString();
            }
        }

        if (verifier.StreamToken(parameters.GetValueOrDefault("CallSid")) is { } token)
        {
            parameters[TwilioSignatureVerifier.StreamTokenParameter] = token;
        }

        return parameters;
    }

    private static async Task AnswerAsync(HttpContext ctx, TwilioSignatureVerifier verifier, TwilioStreamTarget target, Func<bool> admitting)
    {
        if (await ReadVerifiedFormAsync(ctx, verifier) is not { } form)
        {
            return;
        }

        if (!admitting())
        {
            ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        ctx.Response.ContentType = "text/xml; charset=utf-8";
        await ctx.Response.WriteAsync(TwilioTwiml.ConnectStream(target.StreamUrl(ctx.Request), StreamParameters(form, verifier), target.ActionUrl(ctx.Request)), ctx.RequestAborted);
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(IFormCollection form) =>
        form.SelectMany(field => field.Value.Select(value => KeyValuePair.Create(field.Key, value ?? string.Empty)));

    private static void CountRejection(HttpContext ctx)
    {
        Rejections.Count(Rejections.TwilioSignature);
        ctx.RequestServices?.GetService<TwilioCounters>()?.CountSignatureRejected();
    }
}
