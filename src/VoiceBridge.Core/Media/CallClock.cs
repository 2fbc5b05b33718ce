namespace VoiceBridge.Media;

/// <summary>
/// The call's clock: positions are sample indices at the call rate (8 kHz mono), never wall time.
/// One 20 ms frame is 160 samples; a caller frame's position is the index of its first sample.
/// </summary>
public static class CallClock
{
    public const int SampleRate = 8000;
    public const int FrameMs = 20;
    public const int FrameSamples = SampleRate * FrameMs / 1000;

    public static long MsToSamples(long ms) => ms * (SampleRate / 1000);

    public static long SamplesToMs(long samples) => samples / (SampleRate / 1000);

    public static double SamplesToMsExact(long samples) => samples * 1000.0 / SampleRate;
}
