using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>
/// A simulated Deepgram live transcription endpoint (<c>/v1/listen</c>): mu-law 8 kHz in, the
/// same energy VAD as the bridge's, interim and final <c>Results</c> with the control's hints as
/// transcripts; Finalize, KeepAlive and CloseStream honoured; an idle stream closed with NET-0001.
/// Faults planned in <see cref="Faults"/> are carried out on the wire (docs/failover.md, "Faults on
/// cascade stages"): <c>userN</c> counts the utterances its VAD hears, <c>turnN</c> the final
/// transcripts it sends.
/// </summary>
public sealed class DeepgramSimulator
{
    private readonly CascadeSimulator _owner;
    private readonly ILogger _logger;

    internal DeepgramSimulator(CascadeSimulator owner, ILogger logger)
    {
        _owner = owner;
        _logger = logger;
        Faults = FaultPlan.None(owner.Time);
    }

    /// <summary>Faults to inject into this provider's streams (a speech-to-text stage's faults).</summary>
    public FaultPlan Faults { get; set; }

    /// <summary>Whether a new stream is turned away by a planned connection fault (refused, 503, 429).</summary>
    public ConnectRejection? Admit() => Faults.Admit();

    /// <summary>Checks an upgrade request as Deepgram does before accepting: null when it is fine.</summary>
    public ProviderRejection? CheckUpgrade(WebSocketRequest request)
    {
        var requestId = Guid.NewGuid().ToString();
        if (_owner.Faults.RejectStatus is > 0 and var status)
        {
            return Reject(status, "SIMULATED_FAILURE", $"simulated failure with HTTP {status}", requestId);
        }

        request.Headers.TryGetValue("Authorization", out var authorization);
        var key = authorization is not null && authorization.StartsWith("Token ", StringComparison.OrdinalIgnoreCase) ? authorization[6..] : null;
        if (!_owner.KeyAccepted(key))
        {
            return Reject(401, "INVALID_AUTH", "Invalid credentials.", requestId);
        }

        var query = QueryHelpers.ParseQuery(request.Uri.Query);
        if (query.TryGetValue("encoding", out var encoding) && encoding != "mulaw")
        {
            return Reject(400, "Bad Request", $"the simulator takes encoding=mulaw only, got '{encoding}'", requestId);
        }

        if (query.TryGetValue("sample_rate", out var rate) && rate != "8000")
        {
            return Reject(400, "Bad Request", $"the simulator takes sample_rate=8000 only, got '{rate}'", requestId);
        }

        return DeepgramStreamParams.TryParse(query, out _, out var error) ? null : Reject(400, "Bad Request", error!, requestId);
    }

    /// <summary>Serves one stream until it closes; a request that fails <see cref="CheckUpgrade"/> is closed with the reason.</summary>
    public async Task HandleAsync(WebSocket socket, WebSocketRequest request)
    {
        if (CheckUpgrade(request) is { } rejection)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, rejection.Reason, CancellationToken.None);
            return;
        }

        DeepgramStreamParams.TryParse(QueryHelpers.ParseQuery(request.Uri.Query), out var parameters, out _);
        var session = new DeepgramSimulatorSession(_owner, _owner.NewSession("dg", SimulatorControl.CallOf(request.Headers)), parameters!, _logger);
        await session.RunAsync(socket);
    }

    private static ProviderRejection Reject(int status, string code, string message, string requestId)
    {
        var body = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(body))
        {
            DeepgramServerWriter.WriteHttpError(w, code, message, requestId);
        }

        var reason = $"{code}: {message}";
        return new ProviderRejection(status, Encoding.UTF8.GetString(body.WrittenSpan), reason.Length > 120 ? reason[..120] : reason);
    }
}

/// <summary>The query parameters a simulated stream honours.</summary>
internal sealed record DeepgramStreamParams(bool InterimResults, int? EndpointingMs, bool VadEvents, int? UtteranceEndMs)
{
    /// <summary>Deepgram's defaults: no interim results, 10 ms endpointing, no VAD events, no UtteranceEnd.</summary>
    public static bool TryParse(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, out DeepgramStreamParams? parameters, out string? error)
    {
        parameters = null;
        error = null;
        int? endpointing = 10;
        if (query.TryGetValue("endpointing", out var e) && e != "true")
        {
            endpointing = e == "false" ? null : int.TryParse(e, out var ms) && ms > 0 ? ms : -1;
        }

        int? utteranceEnd = null;
        if (query.TryGetValue("utterance_end_ms", out var u))
        {
            utteranceEnd = int.TryParse(u, out var ms) && ms > 0 ? ms : -1;
        }

        if (endpointing == -1 || utteranceEnd == -1)
        {
            error = endpointing == -1 ? $"endpointing must be a positive number of ms or false, got '{e}'" : $"utterance_end_ms must be a positive number of ms, got '{u}'";
            return false;
        }

        parameters = new DeepgramStreamParams(query.TryGetValue("interim_results", out var i) && i == "true", endpointing,
            query.TryGetValue("vad_events", out var v) && v == "true", utteranceEnd);
        return true;
    }
}
