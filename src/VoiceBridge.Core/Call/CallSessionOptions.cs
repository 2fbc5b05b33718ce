using VoiceBridge.Audit;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>Per-call behaviour; defaults follow docs/architecture.md and FAILOVER.md.</summary>
public sealed class CallSessionOptions
{
    /// <summary>The agent's instructions, given to every engine of the call.</summary>
    public string Instructions { get; set; } =
        "You are the phone receptionist of Bright Smile Dental. Be brief and friendly. Help callers book, move or cancel appointments and answer questions about opening hours.";

    /// <summary>Unacknowledged caller audio kept for replay into another engine [30 s].</summary>
    public TimeSpan CallerAudioLogCapacity { get; set; } = TimeSpan.FromSeconds(30);

    public PlayoutOptions Playout { get; set; } = new();

    /// <summary>Our own VAD, which gives user turn spans.</summary>
    public VadOptions Vad { get; set; } = new();

    /// <summary>When to give up on the active engine (FAILOVER.md's triggers).</summary>
    public FailoverOptions Failover { get; set; } = new();

    /// <summary>Where switches and call outcomes are recorded [none].</summary>
    public IAuditLog AuditLog { get; set; } = NullAuditLog.Instance;

    /// <summary>
    /// The last resort's words (mu-law, 8 kHz), played when every engine of the chain is down;
    /// then the call is ended [none: the call is ended at once].
    /// </summary>
    public byte[]? Apology { get; set; }

    /// <summary>Tools run without side effects (replay, drills).</summary>
    public bool DryRunTools { get; set; }
}
