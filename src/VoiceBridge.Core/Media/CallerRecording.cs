namespace VoiceBridge.Media;

/// <summary>Which channel of a multi-channel recording becomes the caller's audio.</summary>
public enum ChannelSelection
{
    /// <summary>
    /// Decided per file: mono as it is; stereo with (nearly) the same signal on both channels, or
    /// more than two channels, mixed; stereo with one channel silent, the other; stereo with different
    /// content, the left one (Twilio's dual-channel recordings put the caller there, the agent right).
    /// </summary>
    Auto,

    /// <summary>The average of all channels.</summary>
    Mix,

    /// <summary>Channel 0 (the only channel of a mono file).</summary>
    Left,

    /// <summary>Channel 1 (the only channel of a mono file).</summary>
    Right,
}

/// <summary>
/// A recording converted to the call's stream: 8 kHz mono 16-bit samples, plus what the source was and
/// which of its channels became the caller (<see cref="ChannelChoice"/>: the channel and why, for the
/// replay to print).
/// </summary>
public sealed record CallerRecording(string Path, short[] Samples, int SourceRate, int SourceChannels, string SourceEncoding, string ChannelChoice = "mono")
{
    /// <summary>Length of <see cref="Samples"/> at the call rate.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(Samples.LongLength * TimeSpan.TicksPerSecond / CallClock.SampleRate);
}
