using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Where the TwiML sends a call's stream and, when calls can resume, its <c>&lt;Connect action&gt;</c>:
/// on the public base URL, or without one on the URL the request came to, as a proxy in front (ngrok,
/// a load balancer ending TLS) says it with <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c>:
/// Twilio opens only <c>wss://</c> streams, and the hop behind the proxy is plain HTTP.
/// </summary>
internal sealed record TwilioStreamTarget(string? PublicBase, string MediaPath, bool Resumable)
{
    public string StreamUrl(HttpRequest request) =>
        TwilioPublicUrl.ToWebSocket(PublicBase ?? RequestBase(request)) + MediaPath;

    /// <summary>The resume webhook, counting the resumes so far (<paramref name="resumes"/>) in its query.</summary>
    public string? ActionUrl(HttpRequest request, int resumes = 0) =>
        Resumable ? (PublicBase ?? RequestBase(request)) + TwilioEndpoints.ResumePath + (resumes > 0 ? $"?{ResumesQuery}={resumes}" : "") : null;

    /// <summary>The action URL's count of resumes so far: the signature covers it, so it is ours.</summary>
    public const string ResumesQuery = "resumes";

    private static string RequestBase(HttpRequest request)
    {
        var scheme = FirstForwarded(request, "X-Forwarded-Proto") is { } proto && (proto.Equals("https", StringComparison.OrdinalIgnoreCase) || proto.Equals("http", StringComparison.OrdinalIgnoreCase))
            ? proto.ToLowerInvariant()
            : request.Scheme;
        var host = FirstForwarded(request, "X-Forwarded-Host") is { } forwarded && HostString.FromUriComponent(forwarded) is { HasValue: true } parsed
            ? parsed.ToUriComponent()
            : request.Host.ToUriComponent();
        return $"{scheme}://{host}{request.PathBase.ToUriComponent()}";
    }

    /// <summary>The first (the client-facing) value of a proxy header, or null.</summary>
    private static string? FirstForwarded(HttpRequest request, string header) =>
        request.Headers[header].ToString().Split(',')[0].Trim() is { Length: > 0 } value ? value : null;
}

/// <summary>
/// <c>POST /twilio/resume</c>, the <c>&lt;Connect action&gt;</c> Twilio requests when a call's
/// stream ends (docs/scale-out.md). Signature-checked as the voice webhook is. When the call ended
/// normally the answer is <c>&lt;Hangup/&gt;</c>; otherwise (a node died, a connection broke) a new
/// <c>&lt;Connect&gt;&lt;Stream&gt;</c> with the same action and <see cref="TwilioEndpoints.ResumeParameter"/>,
/// through the load balancer to whichever node takes it, which resumes the conversation by CallSid.
/// A call resumed <see cref="MaxResumes"/> times is hung up instead: if no node can take its stream
/// (every one full, or refusing it), Twilio would otherwise loop between this webhook and a failing
/// stream for as long as the caller stays.
/// </summary>
public static partial class TwilioResumeEndpoint
{
    /// <summary>Resumes one call may have (the count rides in the action URL, so it holds across nodes).</summary>
    public const int MaxResumes = 10;

    internal static IEndpointConventionBuilder MapTwilioResumeWebhook(this IEndpointRouteBuilder app, TwilioSignatureVerifier verifier, TwilioStreamTarget target, ITwilioCallContinuity continuity) =>
        app.MapPost(TwilioEndpoints.ResumePath, ctx => AnswerAsync(ctx, verifier, target, continuity));

    private static async Task AnswerAsync(HttpContext ctx, TwilioSignatureVerifier verifier, TwilioStreamTarget target, ITwilioCallContinuity continuity)
    {
        if (await TwilioEndpoints.ReadVerifiedFormAsync(ctx, verifier) is not { } form)
        {
            return;
        }

        ctx.Response.ContentType = "text/xml; charset=utf-8";
        if (!form.TryGetValue("CallSid", out StringValues callSid) || StringValues.IsNullOrEmpty(callSid) || callSid.ToString().Length > 64)
        {
            // Nothing to resume by: the call cannot be told from any other.
            await ctx.Response.WriteAsync(TwilioTwiml.Hangup(), ctx.RequestAborted);
            return;
        }

        if (!await continuity.ShouldResumeAsync(callSid.ToString(), ctx.RequestAborted))
        {
            await ctx.Response.WriteAsync(TwilioTwiml.Hangup(), ctx.RequestAborted);
            return;
        }

        var resumes = int.TryParse(ctx.Request.Query[TwilioStreamTarget.ResumesQuery].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        if (resumes >= MaxResumes)
        {
            Log.GivenUp(ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TwilioResumeEndpoint)), callSid.ToString(), resumes);
            await ctx.Response.WriteAsync(TwilioTwiml.Hangup(), ctx.RequestAborted);
            return;
        }

        var parameters = TwilioEndpoints.StreamParameters(form, verifier);
        // Which resume of the call this stream is (the node that takes it audits the count that decides).
        parameters[TwilioEndpoints.ResumeParameter] = (resumes + 1).ToString(CultureInfo.InvariantCulture);
        await ctx.Response.WriteAsync(TwilioTwiml.ConnectStream(target.StreamUrl(ctx.Request), parameters, target.ActionUrl(ctx.Request, resumes + 1)), ctx.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "twilio call {CallSid}: its stream was lost again after {Resumes} resumes; hung up instead of resuming once more")]
        public static partial void GivenUp(ILogger logger, string callSid, int resumes);
    }
}
