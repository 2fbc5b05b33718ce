namespace VoiceBridge.Call;

/// <summary>Pacing of agent audio toward the caller.</summary>
public sealed class PlayoutOptions
{
    /// <summary>
    /// Frames kept ahead of real time in the carrier's buffer [10 = 200 ms]: enough to ride out a late
    /// tick on a loaded machine; a barge-in clears the carrier's buffer, so it costs no barge-in latency.
    /// </summary>
    public int LeadFrames { get; set; } = 10;

    /// <summary>A mark is sent after this many frames, and at the end of each item [5 = 100 ms].</summary>
    public int MarkEveryFrames { get; set; } = 5;

    /// <summary>Agent audio held at most; beyond it the oldest is dropped and counted [120 s].</summary>
    public TimeSpan Capacity { get; set; } = TimeSpan.FromSeconds(120);
}
