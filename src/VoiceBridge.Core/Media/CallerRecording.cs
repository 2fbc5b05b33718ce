namespace VoiceBridge.Media;

/// <summary>Which channel of a multi-channel recording becomes the caller's audio.</summary>
public enum ChannelSelection
{
    /// <summary>The average of all channels.</summary>
    Mix,

    /// <summary>Channel 0 (the only channel of a mono file).</summary>
    Left,

    /// <summary>Channel 1 (the only channel of a mono file).</summary>
    Right,
}

/// <summary>A recording converted to the call's stream: 8 kHz mono 16-bit samples, plus what the source was.</summary>
public sealed record CallerRecording(string Path, short[] Samples, int SourceRate, int SourceChannels, string SourceEncoding)
{
    /// <summary>Length of <see cref="Samples"/> at the call rate.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(Samples.LongLength * TimeSpan.TicksPerSecond / CallClock.SampleRate);
}
