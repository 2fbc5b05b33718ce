using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Speech;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>
/// A simulated OpenAI <c>POST /v1/audio/speech</c>: the input spoken by the configured synthesizer
/// at 8 kHz, upsampled to 24 kHz 16-bit LE mono (<c>response_format: "pcm"</c>, the only format it
/// makes) and streamed as a chunked body, paced on the injected clock. Bad requests get OpenAI's
/// <c>{"error": {message, type, param, code}}</c> with 400 or 401. Faults planned in
/// <see cref="Faults"/> are carried out on the wire; <c>turnN</c> counts requests (the cascade
/// sends one per sentence).
/// </summary>
public sealed partial class OpenAiSpeechSimulator
{
    private const int MaxInputChars = 4096;
    private const int MaxBodyBytes = 64 * 1024;
    private const int OutputRate = 24000;

    private readonly CascadeSimulator _owner;
    private readonly ILogger _logger;

    internal OpenAiSpeechSimulator(CascadeSimulator owner, ILogger logger)
    {
        _owner = owner;
        _logger = logger;
        Faults = FaultPlan.None(owner.Time);
    }

    /// <summary>Faults to inject into this provider's requests (a text-to-speech stage's faults).</summary>
    public FaultPlan Faults { get; set; }

    public async Task HandleAsync(HttpContext context)
    {
        var record = _owner.NewSession("tts");
        switch (Faults.Admit())
        {
            case { Status: null }:
                context.Abort();
                return;
            case { Status: { } refused, RetryAfterSeconds: var retryAfter }:
                await ErrorAsync(context, refused, "server_error", null, null, $"simulated failure with HTTP {refused}", retryAfter);
                return;
        }

        if (_owner.Faults.RejectStatus is > 0 and var status)
        {
            await ErrorAsync(context, status, "server_error", null, null, $"simulated failure with HTTP {status}");
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!_owner.KeyAccepted(authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : null))
        {
            await ErrorAsync(context, 401, "invalid_request_error", null, "invalid_api_key", "Incorrect API key provided.");
            return;
        }

        var (input, problem, param) = await ReadRequestAsync(context);
        if (problem is not null)
        {
            await ErrorAsync(context, 400, "invalid_request_error", param, null, problem);
            return;
        }

        byte[] pcm;
        try
        {
            pcm = Upsample(_owner.Options.Synthesizer.SynthesizeMuLaw(input!));
        }
        catch (SpeechSynthesisException e)
        {
            await ErrorAsync(context, 500, "server_error", null, null, e.Message);
            return;
        }

        record.CountResponse();
        var fault = Faults.OnResponse();
        if (fault is { Kind: FaultKind.Error or FaultKind.RateLimit, When.Point: TurnPoint.First })
        {
            // The request is answered with the error instead of audio.
            Faults.Strike(fault);
            var limited = fault.Kind == FaultKind.RateLimit;
            await ErrorAsync(context, limited ? 429 : 500, limited ? "requests" : "server_error", null, limited ? "rate_limit_exceeded" : null,
                $"{(limited ? "Rate limit reached for requests" : "The server had an error while processing your request")} (simulated fault)",
                limited ? FaultPlan.RetryAfterSeconds : null);
            return;
        }

        await StreamAsync(context, pcm, record.Id, fault);
    }

    private async Task StreamAsync(HttpContext context, byte[] pcm, string id, FaultSpec? fault)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "audio/pcm";
        var chunkBytes = _owner.Options.ChunkAudioMs * (OutputRate / 1000) * 2;
        var aborted = context.RequestAborted;
        try
        {
            // Headers first, as the real service does, then audio as it is made.
            await context.Response.StartAsync(aborted);
            var delay = _owner.Options.FirstAudioDelay;
            if (fault is { Kind: FaultKind.Slow })
            {
                Faults.Strike(fault);
                delay += TimeSpan.FromMilliseconds(fault.SlowMs);
            }

            await Task.Delay(delay, _owner.Time, aborted);
            if (fault is { Kind: FaultKind.StallResponse })
            {
                await StrikeAsync(context, fault, id);
                return;
            }

            var chunks = 0;
            for (var offset = 0; offset < pcm.Length; offset += chunkBytes)
            {
                var n = Math.Min(chunkBytes, pcm.Length - offset);
                await context.Response.Body.WriteAsync(pcm.AsMemory(offset, n), aborted);
                await context.Response.Body.FlushAsync(aborted);
                if (++chunks == _owner.Faults.DropAfterMessages)
                {
                    Log.Dropped(_logger, id, chunks);
                    context.Abort();
                    return;
                }

                var sentMs = (offset + n) * 1000L / (OutputRate * 2);
                if (fault is { Kind: not FaultKind.Slow } && FaultPlan.DueAt(fault, chunks == 1, sentMs))
                {
                    await StrikeAsync(context, fault, id);
                    return;
                }

                await Task.Delay(_owner.Options.ChunkInterval, _owner.Time, aborted);
            }

            // @done, or a +MS the audio was too short to reach: after the last chunk, before the body ends.
            if (fault is { Kind: not FaultKind.Slow, When.Point: TurnPoint.Done or TurnPoint.Offset })
            {
                await StrikeAsync(context, fault, id);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>
    /// Carries a fault out in the middle of a body: a stall holds the response open and silent
    /// (until the client gives up); anything else drops the connection (an HTTP body has no way
    /// to report an error once it has started).
    /// </summary>
    private async Task StrikeAsync(HttpContext context, FaultSpec fault, string id)
    {
        Faults.Strike(fault);
        Log.Fault(_logger, id, fault.ToString());
        if (fault.Kind is FaultKind.Blackhole or FaultKind.StallAudio or FaultKind.StallResponse)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _owner.Time, context.RequestAborted);
            return;
        }

        context.Abort();
    }

    /// <summary>The request's input, or the problem and the parameter it concerns.</summary>
    private static async Task<(string? Input, string? Problem, string? Param)> ReadRequestAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length > MaxBodyBytes)
        {
            return (null, $"request body over {MaxBodyBytes} bytes", null);
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "We could not parse the JSON body of your request. The body must be a JSON object.", null);
            }

            foreach (var field in (ReadOnlySpan<string>)["model", "input", "voice"])
            {
                if (!root.TryGetProperty(field, out var value) || (field != "voice" && value.ValueKind != JsonValueKind.String)
                    || (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0))
                {
                    return (null, $"Missing or empty required parameter: '{field}'.", field);
                }
            }

            var format = root.TryGetProperty("response_format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : "mp3";
            if (format != "pcm")
            {
                return (null, $"The simulator makes response_format 'pcm' only, not '{format}'.", "response_format");
            }

            var input = root.GetProperty("input").GetString()!;
            return input.Length > MaxInputChars
                ? (null, $"'input' is too long: {input.Length} characters, at most {MaxInputChars}.", "input")
                : (input, null, null);
        }
        catch (JsonException e)
        {
            return (null, $"We could not parse the JSON body of your request: {e.Message}", null);
        }
    }

    /// <summary>8 kHz mu-law to 24 kHz 16-bit LE, exactly three samples per input sample (the filter delay removed).</summary>
    private static byte[] Upsample(byte[] mulaw)
    {
        var pcm8k = new short[mulaw.Length];
        G711.MuLawDecode(mulaw, pcm8k);
        var resampler = new Resampler(CallClock.SampleRate, OutputRate);
        var ratio = OutputRate / CallClock.SampleRate;
        var tail = new short[(resampler.DelaySamplesOut / ratio) + 1];
        var output = new short[resampler.MaxOutputFor(pcm8k.Length) + resampler.MaxOutputFor(tail.Length)];
        var n = resampler.Process(pcm8k, output);
        n += resampler.Process(tail, output.AsSpan(n));
        var samples = output.AsSpan(resampler.DelaySamplesOut, pcm8k.Length * ratio);
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
        }

        return bytes;
    }

    private static async Task ErrorAsync(HttpContext context, int status, string type, string? param, string? code, string message, int? retryAfterSeconds = null)
    {
        context.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsJsonAsync(new { error = new { message, type, param, code } });
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "openai speech simulator {Request}: fault injected, connection dropped after {Chunks} chunks")]
        public static partial void Dropped(ILogger logger, string request, int chunks);

        [LoggerMessage(2, LogLevel.Warning, "openai speech simulator {Request}: fault {Fault} strikes")]
        public static partial void Fault(ILogger logger, string request, string fault);
    }
}
