using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Transport;

namespace VoiceBridge.Simulator;

/// <summary>
/// A simulated OpenAI Realtime provider: speaks the GA protocol as far as VoiceBridge's client uses
/// it, with an energy server VAD, scripted "transcription" and replies spoken by espeak-ng at a
/// realistic pace, and function calls. It is a test and demo stand-in, labelled as such wherever it
/// is used; the production client is what talks to it, over real or in-memory sockets. A connection
/// with <c>?intent=transcription</c> gets a transcription session instead (no responses).
/// </summary>
public sealed class RealtimeSimulator(SimulatorOptions options, TimeProvider time, ILogger<RealtimeSimulator> logger, SimulatorControl? control = null, string name = "sim")
{
    private readonly string _prefix = new([.. name.Where(char.IsLetterOrDigit)]);
    private int _sessions;

    /// <summary>The harness's handle; simulators of one call may share it (one caller, one transcript queue).</summary>
    public SimulatorControl Control { get; } = control ?? new();

    public SimulatorOptions Options => options;

    /// <summary>Faults to inject into this simulator's sessions.</summary>
    public FaultPlan Faults { get; set; } = FaultPlan.None(time);

    /// <summary>Serves one client connection until it closes.</summary>
    public Task HandleAsync(WebSocket socket, WebSocketRequest request)
    {
        // Ids are unique per simulator, as a real provider's are globally: a call that moves between
        // two simulated providers must never see the same item id twice.
        var id = $"sess_{_prefix}{Interlocked.Increment(ref _sessions):D4}";
        var record = Control.NewSession(id, SimulatorControl.CallOf(request.Headers));
        var session = new SimulatorSession(id, record, this, SessionType(request.Uri), time, logger);
        return session.RunAsync(socket);
    }

    /// <summary>A connection to <c>?intent=transcription</c> opens a transcription session, as on the real service.</summary>
    internal static RealtimeSessionType SessionType(Uri uri) =>
        uri.Query.TrimStart('?').Split('&').Contains("intent=transcription", StringComparer.Ordinal)
            ? RealtimeSessionType.Transcription
            : RealtimeSessionType.Realtime;

    /// <summary>What the caller of <paramref name="callId"/> says next (see <see cref="SimulatorControl"/>).</summary>
    internal string? NextTranscript(string? callId) => Control.NextTranscript(callId);

    /// <summary>Whether a new connection is turned away by a planned connection fault.</summary>
    public ConnectRejection? Admit() => Faults.Admit();
}
