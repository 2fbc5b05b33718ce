namespace VoiceBridge.Call;

/// <summary>Pacing of agent audio toward the caller.</summary>
public sealed class PlayoutOptions
{
    /// <summary>Frames sent ahead of real time at the start of a talkspurt (the carrier's buffer) [3 = 60 ms].</summary>
    public int LeadFrames { get; set; } = 3;

    /// <summary>A mark is sent after this many frames, and at the end of each item [5 = 100 ms].</summary>
    public int MarkEveryFrames { get; set; } = 5;

    /// <summary>Agent audio held at most; beyond it the oldest is dropped and counted [120 s].</summary>
    public TimeSpan Capacity { get; set; } = TimeSpan.FromSeconds(120);
}
