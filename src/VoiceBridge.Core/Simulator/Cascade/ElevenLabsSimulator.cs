using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>
/// A simulated ElevenLabs stream-input endpoint (<c>/v1/text-to-speech/{voice}/stream-input</c>):
/// text chunks in, speech by the configured synthesizer streamed as <c>{audio, isFinal:false,
/// alignment}</c> chunks, then <c>{isFinal:true}</c> and a close. Only <c>output_format=ulaw_8000</c>.
/// Faults planned in <see cref="Faults"/> are carried out on the wire; <c>turnN</c> counts the
/// streams that speak (one per agent response).
/// </summary>
public sealed class ElevenLabsSimulator
{
    private readonly CascadeSimulator _owner;
    private readonly ILogger _logger;

    internal ElevenLabsSimulator(CascadeSimulator owner, ILogger logger)
    {
        _owner = owner;
        _logger = logger;
        Faults = FaultPlan.None(owner.Time);
    }

    /// <summary>Faults to inject into this provider's streams (a text-to-speech stage's faults).</summary>
    public FaultPlan Faults { get; set; }

    /// <summary>Whether a new stream is turned away by a planned connection fault (refused, 503, 429).</summary>
    public ConnectRejection? Admit() => Faults.Admit();

    /// <summary>Checks an upgrade request: only an injected fault refuses it here (other problems are reported in-band, as ElevenLabs does).</summary>
    public ProviderRejection? CheckUpgrade(WebSocketRequest request)
    {
        if (_owner.Faults.RejectStatus is not (> 0 and var status))
        {
            return null;
        }

        var body = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(body))
        {
            ElevenLabsServerWriter.WriteHttpError(w, "simulated_failure", $"simulated failure with HTTP {status}");
        }

        return new ProviderRejection(status, Encoding.UTF8.GetString(body.WrittenSpan), $"simulated failure with HTTP {status}");
    }

    /// <summary>Serves one stream until it closes.</summary>
    public async Task HandleAsync(WebSocket socket, WebSocketRequest request)
    {
        if (CheckUpgrade(request) is { } rejection)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.InternalServerError, rejection.Reason, CancellationToken.None);
            return;
        }

        var session = new ElevenLabsSimulatorSession(_owner, _owner.NewSession("xi"), request, _logger);
        await session.RunAsync(socket);
    }
}
