using VoiceBridge.Media;

namespace VoiceBridge.Replay;

/// <summary>How a recording is paced into the call.</summary>
public enum ReplayPacing
{
    /// <summary>After each utterance, wait (with silence) until the agent has finished replying.</summary>
    TurnAware,

    /// <summary>Exactly as recorded, barging into replies where the recording does.</summary>
    Timeline,
}

/// <summary>The fake carrier side (Twilio, or a SIP phone) of a replayed call.</summary>
public sealed class FakeCallerOptions
{
    public ReplayPacing Pacing { get; set; } = ReplayPacing.TurnAware;

    /// <summary>Longest wait for an agent reply before the recording goes on [15 s].</summary>
    public TimeSpan MaxReplyWait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Agent silence after its audio that counts as the reply being finished [800 ms].</summary>
    public TimeSpan ReplyIdle { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Silence kept before the next utterance resumes after a wait [200 ms].</summary>
    public TimeSpan ResumeLead { get; set; } = TimeSpan.FromMilliseconds(200);

    public string CallSid { get; set; } = "CA" + Guid.NewGuid().ToString("N");

    public string StreamSid { get; set; } = "MZ" + Guid.NewGuid().ToString("N");

    public string AccountSid { get; set; } = "AC00000000000000000000000000000000";

    /// <summary>Network trouble on the RTP a SIP caller sends (replay --leg sip) [none].</summary>
    public RtpImpairments Impairments { get; set; } = RtpImpairments.None;

    /// <summary>
    /// Keys the caller presses: each digit (0-9, *, #, A-D) once the caller's clock (20 ms per
    /// frame sent, holds included) reaches its time, in ms from the start of the call. They do
    /// not change the pacing [none].
    /// </summary>
    public IReadOnlyList<(long AtMs, char Digit)> Dtmf { get; set; } = [];

    /// <summary>The VAD that finds the caller's utterances in the recording.</summary>
    public VadOptions Vad { get; set; } = new();
}
