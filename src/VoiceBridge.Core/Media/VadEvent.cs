namespace VoiceBridge.Media;

/// <summary>What a VAD frame changed.</summary>
public enum VadEventKind
{
    /// <summary>No change.</summary>
    None,

    /// <summary>Speech began; the position is the first sample of the first voiced frame of the run.</summary>
    SpeechStarted,

    /// <summary>Speech ended; the position is just after the last voiced frame (not including the silence window).</summary>
    SpeechStopped,
}

/// <summary>The outcome of one <see cref="EnergyVad.Process"/> call, with a sample position on the call clock.</summary>
public readonly record struct VadEvent(VadEventKind Kind, long Position)
{
    /// <summary>The event for a frame that changed nothing.</summary>
    public static VadEvent None => default;
}
