using Microsoft.Extensions.Logging;

namespace VoiceBridge.Simulator.Cascade;

/// <summary>
/// Simulated cascade providers for tests, replay and demos: a Deepgram-style live transcription
/// WebSocket, an ElevenLabs-style stream-input WebSocket and an OpenAI-style speech endpoint, each
/// speaking its provider's wire shapes and paced on the injected clock. It cannot recognise speech:
/// transcripts are the hints given to <see cref="Control"/>, one per utterance its VAD hears.
/// </summary>
public sealed class CascadeSimulator
{
    private int _sessions;

    public CascadeSimulator(CascadeSimulatorOptions options, TimeProvider time, ILoggerFactory loggers, SimulatorControl? control = null)
    {
        Options = options;
        Control = control ?? new SimulatorControl();
        Time = time;
        Deepgram = new DeepgramSimulator(this, loggers.CreateLogger<DeepgramSimulator>());
        ElevenLabs = new ElevenLabsSimulator(this, loggers.CreateLogger<ElevenLabsSimulator>());
        OpenAiSpeech = new OpenAiSpeechSimulator(this, loggers.CreateLogger<OpenAiSpeechSimulator>());
    }

    public CascadeSimulatorOptions Options { get; }

    /// <summary>Transcript hints, and what each session received (shared with the call's other simulators when given).</summary>
    public SimulatorControl Control { get; }

    public CascadeFaults Faults { get; } = new();

    public DeepgramSimulator Deepgram { get; }

    public ElevenLabsSimulator ElevenLabs { get; }

    public OpenAiSpeechSimulator OpenAiSpeech { get; }

    internal TimeProvider Time { get; }

    internal SimulatedSession NewSession(string prefix, string? callId = null) =>
        Control.NewSession($"{prefix}_sim{Interlocked.Increment(ref _sessions):D4}", callId);

    /// <summary>Whether <paramref name="presented"/> satisfies <see cref="CascadeSimulatorOptions.RequiredApiKey"/>.</summary>
    internal bool KeyAccepted(string? presented) =>
        Options.RequiredApiKey is null || string.Equals(presented, Options.RequiredApiKey, StringComparison.Ordinal);
}
