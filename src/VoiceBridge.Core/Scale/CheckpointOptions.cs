namespace VoiceBridge.Scale;

/// <summary>How conversation checkpoints are kept (docs/scale-out.md, "Keys and TTLs").</summary>
public sealed class CheckpointOptions
{
    /// <summary>How long a live call's checkpoint is kept after its last turn boundary [4 h]: longer than any pause in a call.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How long an ended call's checkpoint is kept [10 min]: Twilio's request to the resume URL comes within seconds.</summary>
    public TimeSpan EndedTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often each live call's last caller frame time is recorded [250 ms]: a resumed call's gap
    /// is measured to within this (it can be reported short by up to this much, never long).
    /// </summary>
    public TimeSpan FrameMarkInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Bound on each store operation [2 s]: a slow store costs a checkpoint, never a call.</summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Every problem, each naming its setting; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, value) in new[] { (nameof(Ttl), Ttl), (nameof(EndedTtl), EndedTtl), (nameof(FrameMarkInterval), FrameMarkInterval), (nameof(StoreTimeout), StoreTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"checkpoints: {name} must be positive, not {value}");
            }
        }

        return errors;
    }
}
