using VoiceBridge.Audit;
using VoiceBridge.Call.Tools;
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

    /// <summary>
    /// Keys the caller presses within this of each other are one entry (<c>1234#</c>): the agent
    /// gets a number typed on the keypad at once, not digit by digit. <c>#</c> ends an entry at
    /// once; so do <see cref="DtmfText.MaxDigits"/> digits [1 s].
    /// </summary>
    public TimeSpan DtmfInterDigitTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When to give up on the active engine (FAILOVER.md's triggers).</summary>
    public FailoverOptions Failover { get; set; } = new();

    /// <summary>Where switches and call outcomes are recorded [none].</summary>
    public IAuditLog AuditLog { get; set; } = NullAuditLog.Instance;

    /// <summary>
    /// The last resort's words (mu-law, 8 kHz), played when every engine of the chain is down;
    /// then the call is ended [none: the call is ended at once].
    /// </summary>
    public byte[]? Apology { get; set; }

    /// <summary>
    /// A consent or recording notice (mu-law, 8 kHz, <c>serve --consent-prompt</c>) played when the call
    /// starts; the agent starts listening once the caller has heard it [none: the agent listens at once].
    /// </summary>
    public byte[]? Consent { get; set; }

    /// <summary>
    /// A short filler (mu-law, 8 kHz) played while the next engine prepares after a switch, when
    /// the caller is waiting for an answer (<see cref="FailoverOptions.Filler"/>) [none].
    /// </summary>
    public byte[]? Filler { get; set; }

    /// <summary>
    /// Where the last resort sends the caller after the apology: an E.164 number or a <c>sip:</c>
    /// URI [none: the call is ended after the apology].
    /// </summary>
    public string? LastResortTransferTo { get; set; }

    /// <summary>Where the built-in <c>transfer</c> tool may send a call, and how long call control waits for the agent's words to be heard.</summary>
    public CallControlOptions CallControl { get; set; } = new();

    /// <summary>
    /// Tools run without side effects outside the call (replay and drills always set it): each
    /// tool gets it in its <see cref="ToolContext"/>. The built-in <c>hangup</c> and <c>transfer</c>
    /// still act on the call itself, through its leg (in replay, the fake carrier's).
    /// </summary>
    public bool DryRunTools { get; set; }

    /// <summary>
    /// Shadow mode: a second engine that hears the caller beside the active one, silently; its
    /// transcripts, latencies and answer lengths are compared per turn (docs/failover.md, "Shadow
    /// mode") [none].
    /// </summary>
    public Engines.EngineSpec? Shadow { get; set; }

    /// <summary>
    /// How a call builds its <see cref="Shadow"/> engine (spec, call id): the composition sets the
    /// chain's own factory (<c>EngineFactory.CreateShadow</c>), so the shadow is built as the chain's
    /// engines are, but outside the chain (no breaker, never switched to) [none: a shadow fails to start].
    /// </summary>
    public Func<Engines.EngineSpec, string, Engines.IAgentEngine>? ShadowFactory { get; set; }
}
