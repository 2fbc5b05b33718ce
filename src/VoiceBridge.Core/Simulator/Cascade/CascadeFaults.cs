namespace VoiceBridge.Simulator.Cascade;

/// <summary>
/// Faults the harness injects into the simulated cascade providers. Each applies to connections
/// and requests that start after it is set.
/// </summary>
public sealed class CascadeFaults
{
    private int _rejectStatus;
    private int _dropAfterMessages;

    /// <summary>Refuse new connections and requests with this HTTP status (in memory: a close with the status in the reason); 0 = off.</summary>
    public int RejectStatus
    {
        get => Volatile.Read(ref _rejectStatus);
        set => Volatile.Write(ref _rejectStatus, value);
    }

    /// <summary>Drop the connection without a close after this many server messages (audio chunks for text-to-speech); 0 = off.</summary>
    public int DropAfterMessages
    {
        get => Volatile.Read(ref _dropAfterMessages);
        set => Volatile.Write(ref _dropAfterMessages, value);
    }
}
