using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Simulator;

/// <summary>
/// A simulated OpenAI Realtime provider: speaks the GA protocol as far as VoiceBridge's client uses
/// it, with an energy server VAD, scripted "transcription" and replies spoken by espeak-ng at a
/// realistic pace, and function calls. It is a test and demo stand-in, labelled as such wherever it
/// is used; the production client is what talks to it, over real or in-memory sockets.
/// </summary>
public sealed class RealtimeSimulator(SimulatorOptions options, TimeProvider time, ILogger<RealtimeSimulator> logger)
{
    private int _sessions;

    public SimulatorControl Control { get; } = new();

    public SimulatorOptions Options => options;

    /// <summary>Serves one client connection until it closes.</summary>
    public Task HandleAsync(WebSocket socket, WebSocketRequest request)
    {
        var id = $"sess_sim{Interlocked.Increment(ref _sessions):D4}";
        var record = Control.NewSession(id);
        var session = new SimulatorSession(id, record, this, time, logger);
        return session.RunAsync(socket);
    }

    internal string? NextTranscript() => Control.NextTranscript();
}
