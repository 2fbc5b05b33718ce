namespace VoiceBridge.Media;

/// <summary>Tuning for <see cref="EnergyVad"/>. Values are read once, when a detector is created.</summary>
public sealed class VadOptions
{
    /// <summary>How far above the tracked noise floor (dB) a frame must be to count as voiced.</summary>
    public double MarginDb { get; set; } = 12;

    /// <summary>A frame quieter than this (dBFS) is never voiced, however low the noise floor.</summary>
    public double AbsoluteThresholdDbfs { get; set; } = -50;

    /// <summary>Voiced time (ms, consecutive frames) before speech is declared started.</summary>
    public int MinSpeechMs { get; set; } = 60;

    /// <summary>The silence window: unvoiced time (ms) after the last voiced frame that ends speech.</summary>
    public int SilenceMs { get; set; } = 500;

    /// <summary>Informational: how much audio (ms) before a speech start consumers keep or send along.</summary>
    public int PrefixPaddingMs { get; set; } = 300;

    /// <summary>
    /// How fast (dB per second) the noise floor creeps up while no quieter frame pulls it down. Speech has dips
    /// that keep the floor down; a steady sound with none becomes "noise" after (level - floor - margin) / rate seconds.
    /// </summary>
    public double NoiseFloorRiseDbPerSecond { get; set; } = 2;
}
