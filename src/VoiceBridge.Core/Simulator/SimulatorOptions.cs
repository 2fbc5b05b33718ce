using VoiceBridge.Speech;

namespace VoiceBridge.Simulator;

/// <summary>How the simulated Realtime provider behaves.</summary>
public sealed class SimulatorOptions
{
    public SimulatorScript Script { get; set; } = SimulatorScript.Default;

    public ISpeechSynthesizer Synthesizer { get; set; } = new EspeakSynthesizer();

    /// <summary>From response.create (or end of caller speech) to the first audio delta [300 ms].</summary>
    public TimeSpan FirstAudioDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Audio carried by one output_audio.delta [100 ms].</summary>
    public int DeltaAudioMs { get; set; } = 100;

    /// <summary>Time between deltas: faster than real time, as real providers send [50 ms].</summary>
    public TimeSpan DeltaInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    public string Model { get; set; } = "gpt-realtime";

    /// <summary>
    /// Words for a caller turn the harness gave no transcript for (a recording without a manifest);
    /// null: such turns are transcribed as nothing.
    /// </summary>
    public ISimulatedRecognizer? Recognizer { get; set; } = LocalSimulatedRecognizer.Shared;

    /// <summary>Hop timing and the storm control for a load run (<c>sim --load</c>); null, the default: none.</summary>
    public Load.LoadProbe? LoadProbe { get; set; }
}
