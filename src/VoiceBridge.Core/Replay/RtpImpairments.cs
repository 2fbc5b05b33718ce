namespace VoiceBridge.Replay;

/// <summary>
/// How a fake SIP caller sends its RTP, and the network trouble it meets (<c>replay --leg sip
/// --ptime MS --jitter MS --loss PCT --reorder PCT</c>): packets of PacketMs of audio (20 by default;
/// gateways send 10, 30, 60), each delayed by a random 0..JitterMs, dropped with LossPercent, or held
/// back behind the next one with ReorderPercent. Seeded, so a run repeats.
/// </summary>
public sealed record RtpImpairments(int JitterMs = 0, double LossPercent = 0, double ReorderPercent = 0, int Seed = 1, int PacketMs = 20)
{
    public static readonly RtpImpairments None = new();

    public bool Any => JitterMs > 0 || LossPercent > 0 || ReorderPercent > 0 || PacketMs != 20;

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

        if (PacketMs is < 10 or > 120 || PacketMs % 10 != 0)
        {
            errors.Add($"--ptime {PacketMs}: must be 10-120 ms in steps of 10");
        }

        return errors;
    }

    public override string ToString() => $"{PacketMs} ms packets, jitter {JitterMs} ms, loss {LossPercent}%, reorder {ReorderPercent}%";
}
