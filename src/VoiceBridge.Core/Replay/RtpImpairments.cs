namespace VoiceBridge.Replay;

/// <summary>
/// Network trouble applied to the RTP a fake SIP caller sends (<c>replay --leg sip --jitter MS
/// --loss PCT --reorder PCT</c>): each packet is delayed by a random 0..JitterMs, dropped with
/// LossPercent, or held back behind the next one with ReorderPercent. Seeded, so a run repeats.
/// </summary>
public sealed record RtpImpairments(int JitterMs = 0, double LossPercent = 0, double ReorderPercent = 0, int Seed = 1)
{
    public static readonly RtpImpairments None = new();

    public bool Any => JitterMs > 0 || LossPercent > 0 || ReorderPercent > 0;

    /// <summary>Every problem with the values, each naming its option; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (JitterMs is < 0 or > 1000)
        {
            errors.Add($"--jitter {JitterMs}: must be 0-1000 ms");
        }

        if (LossPercent is < 0 or > 100 || double.IsNaN(LossPercent))
        {
            errors.Add($"--loss {LossPercent}: must be a percentage 0-100");
        }

        if (ReorderPercent is < 0 or > 100 || double.IsNaN(ReorderPercent))
        {
            errors.Add($"--reorder {ReorderPercent}: must be a percentage 0-100");
        }

        return errors;
    }

    public override string ToString() => $"jitter {JitterMs} ms, loss {LossPercent}%, reorder {ReorderPercent}%";
}
