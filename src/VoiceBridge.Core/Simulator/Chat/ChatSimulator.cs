using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using VoiceBridge.Faults;

namespace VoiceBridge.Simulator.Chat;

/// <summary>
/// Simulated chat LLM providers over HTTP, for the official SDK clients to talk to over real
/// sockets: OpenAI chat completions and Anthropic Messages, streaming only, in the exact SSE shapes
/// the SDKs parse. A brain (by default the scripted dialog) writes each reply; the simulator paces
/// it on the injected clock (first event after <see cref="ChatSimulatorOptions.FirstTokenDelay"/>,
/// then a fragment every <see cref="ChatSimulatorOptions.TokenInterval"/>) and commits the fault
/// armed in <see cref="Control"/>, and the faults planned in <see cref="Faults"/> (an LLM stage's
/// faults: every request is a connection; <c>turnN</c> counts the requests answered with words,
/// the agent's spoken responses). A test and demo stand-in, labelled as such.
/// </summary>
public sealed partial class ChatSimulator(ChatSimulatorOptions options, TimeProvider time, ILogger<ChatSimulator> logger)
{
    public const string OpenAiPath = "/v1/chat/completions";
    public const string AnthropicPath = "/v1/messages";

    private int _requests;

    public ChatSimulatorControl Control { get; } = new();

    /// <summary>Faults to inject into this provider's requests (docs/failover.md, "Faults on cascade stages").</summary>
    public FaultPlan Faults { get; set; } = FaultPlan.None(time);

    /// <summary>Maps both endpoints.</summary>
    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(OpenAiPath, HandleOpenAiAsync);
        endpoints.MapPost(AnthropicPath, HandleAnthropicAsync);
    }

    /// <summary>Serves one <c>POST /v1/chat/completions</c>.</summary>
    public Task HandleOpenAiAsync(HttpContext context) => HandleAsync(context, OpenAiChatWire.Instance, "chatcmpl-sim");

    /// <summary>Serves one <c>POST /v1/messages</c>.</summary>
    public Task HandleAnthropicAsync(HttpContext context) => HandleAsync(context, AnthropicMessagesWire.Instance, "msg_sim");

    private async Task HandleAsync(HttpContext context, IChatWire wire, string idPrefix)
    {
        var aborted = context.RequestAborted;
        var number = Interlocked.Increment(ref _requests);
        try
        {
            switch (Faults.Admit())
            {
                case { Status: null }:
                    Log.Refused(logger, wire.Api, number);
                    context.Abort();
                    return;
                case { Status: { } status, RetryAfterSeconds: var retryAfter }:
                    await WriteErrorAsync(context, wire, status, $"simulated HTTP {status}", retryAfter is { } s ? TimeSpan.FromSeconds(s) : null);
                    return;
            }

            if (wire.CheckHeaders(context.Request, options.ApiKey) is { } refused)
            {
                await WriteErrorAsync(context, wire, refused.Status, refused.Message, retryAfter: null);
                return;
            }

            ChatRequest request;
            try
            {
                using var doc = await JsonDocument.ParseAsync(context.Request.Body, default, aborted);
                Control.Record(wire.Api, doc.RootElement.Clone());
                request = wire.Parse(doc.RootElement);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                await WriteErrorAsync(context, wire, 400, $"invalid request body: {e.Message}", retryAfter: null);
                return;
            }

            if (!request.Stream)
            {
                await WriteErrorAsync(context, wire, 400, "this simulator serves only streaming requests (stream: true)", retryAfter: null);
                return;
            }

            var fault = Control.TakeFault();
            if (fault is ({ Kind: ChatFaultKind.HttpError } http, var struck))
            {
                Log.Fault(logger, wire.Api, number, http.Kind, http.StatusCode);
                struck.TrySetResult();
                await WriteErrorAsync(context, wire, http.StatusCode, $"simulated HTTP {http.StatusCode}", http.RetryAfter);
                return;
            }

            var reply = await AskBrainAsync(request, $"{idPrefix}{number:D4}", aborted);
            var planned = reply.Text.Count > 0 ? Faults.OnResponse() : null;
            if (planned is { Kind: FaultKind.Error or FaultKind.RateLimit, When.Point: TurnPoint.First })
            {
                // The request is answered with the error instead of a stream.
                Faults.Strike(planned);
                var limited = planned.Kind == FaultKind.RateLimit;
                await WriteErrorAsync(context, wire, limited ? 429 : 500, $"simulated {(limited ? "rate limit" : "server error")}",
                    limited ? TimeSpan.FromSeconds(FaultPlan.RetryAfterSeconds) : null);
                return;
            }

            await StreamAsync(context, wire, reply, wire.Frames(reply, request.IncludeUsage), fault, number, planned);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            Log.ClientGone(logger, wire.Api, number);
        }
    }

    private async Task<SimulatedReply> AskBrainAsync(ChatRequest request, string id, CancellationToken cancellationToken)
    {
        var text = new List<string>();
        FunctionCallContent? call = null;
        string? model = null;
        await foreach (var update in options.Brain.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken))
        {
            model ??= update.ModelId;
            foreach (var content in update.Contents)
            {
                if (content is TextContent { Text.Length: > 0 } t)
                {
                    text.Add(t.Text);
                }
                else if (content is FunctionCallContent c)
                {
                    call ??= c;
                }
            }
        }

        var inputTokens = request.Messages.Sum(m => m.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        return new SimulatedReply(id, model ?? "simulated", time.GetUtcNow().ToUnixTimeSeconds(), text, call, inputTokens);
    }

    private async Task StreamAsync(
        HttpContext context, IChatWire wire, SimulatedReply reply, IReadOnlyList<SseFrame> frames,
        (ChatFault Fault, TaskCompletionSource Struck)? fault, int number, FaultSpec? planned)
    {
        var aborted = context.RequestAborted;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        var firstToken = options.FirstTokenDelay;
        if (planned is { Kind: FaultKind.Slow })
        {
            Faults.Strike(planned);
            firstToken += TimeSpan.FromMilliseconds(planned.SlowMs);
        }

        await Task.Delay(firstToken, time, aborted);
        if (planned is { Kind: FaultKind.StallResponse })
        {
            await StrikeAsync(context, wire, planned, number);
            return;
        }

        var faultAt = fault is { } f ? Math.Clamp(f.Fault.AfterFrames, 0, frames.Count - 1) : -1;
        // @done strikes after the reply's last words and tool arguments, before the events that end the stream.
        var lastPaced = frames.Select((frame, i) => frame.Paced ? i : -1).Max();
        var done = lastPaced >= 0 ? Math.Min(lastPaced + 1, frames.Count - 1) : frames.Count - 1;
        long? firstFrameAt = null;
        for (var i = 0; i < frames.Count; i++)
        {
            if (i == faultAt)
            {
                await CommitAsync(context, wire, reply, fault!.Value, number);
                return;
            }

            if (i > 0 && frames[i].Paced)
            {
                await Task.Delay(options.TokenInterval, time, aborted);
            }

            // A planned fault strikes after the first event, MS into the stream, or after the last
            // words (@done, or a +MS the stream is too short to reach).
            var due = planned is { Kind: not FaultKind.Slow } p && (p.When.Point != TurnPoint.First && i == done
                || (firstFrameAt is { } start && FaultPlan.DueAt(p, i == 1, (long)time.GetElapsedTime(start).TotalMilliseconds)));
            if (due)
            {
                await StrikeAsync(context, wire, planned!, number);
                return;
            }

            await WriteFrameAsync(context, frames[i]);
            firstFrameAt ??= time.GetTimestamp();
        }
    }

    /// <summary>
    /// Carries a planned fault out in the middle of a stream: a dropped connection, an error event
    /// (then the stream ends), or silence with the connection open until the client gives up.
    /// </summary>
    private async Task StrikeAsync(HttpContext context, IChatWire wire, FaultSpec fault, int number)
    {
        Faults.Strike(fault);
        Log.PlannedFault(logger, wire.Api, number, fault.ToString());
        switch (fault.Kind)
        {
            case FaultKind.Close:
                await context.Response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
                break;
            case FaultKind.Error or FaultKind.RateLimit:
                await WriteFrameAsync(context, wire.ErrorEvent(
                    fault.Kind == FaultKind.RateLimit ? "Rate limit reached (simulated fault)" : "The server had an error (simulated fault)",
                    fault.Kind == FaultKind.RateLimit));
                break;
            default:
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(Timeout.InfiniteTimeSpan, time, context.RequestAborted);
                break;
        }
    }

    /// <summary>Commits an in-stream fault.</summary>
    private async Task CommitAsync(HttpContext context, IChatWire wire, SimulatedReply reply, (ChatFault Fault, TaskCompletionSource Struck) fault, int number)
    {
        Log.Fault(logger, wire.Api, number, fault.Fault.Kind, 200);
        fault.Struck.TrySetResult();
        switch (fault.Fault.Kind)
        {
            case ChatFaultKind.MalformedLine:
                await WriteFrameAsync(context, wire.Malformed(reply));
                break;
            case ChatFaultKind.Disconnect:
                await context.Response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
                break;
            case ChatFaultKind.Stall:
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(options.StallLimit, time, context.RequestAborted);
                break;
        }
    }

    private static async Task WriteFrameAsync(HttpContext context, SseFrame frame)
    {
        await context.Response.Body.WriteAsync(frame.ToBytes(), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static async Task WriteErrorAsync(HttpContext context, IChatWire wire, int status, string message, TimeSpan? retryAfter)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsync(wire.ErrorBody(status, message), context.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "chat simulator ({Api}) request {Number}: committing fault {Kind} (status {Status})")]
        public static partial void Fault(ILogger logger, string api, int number, ChatFaultKind kind, int status);

        [LoggerMessage(Level = LogLevel.Debug, Message = "chat simulator ({Api}) request {Number}: the client went away")]
        public static partial void ClientGone(ILogger logger, string api, int number);

        [LoggerMessage(Level = LogLevel.Information, Message = "chat simulator ({Api}) request {Number}: fault {Fault} strikes")]
        public static partial void PlannedFault(ILogger logger, string api, int number, string fault);

        [LoggerMessage(Level = LogLevel.Information, Message = "chat simulator ({Api}) request {Number}: connection refused (planned fault)")]
        public static partial void Refused(ILogger logger, string api, int number);
    }
}
