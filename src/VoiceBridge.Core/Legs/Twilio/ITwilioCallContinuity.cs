using VoiceBridge.Call;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// What lets a Twilio call outlive its media stream (docs/scale-out.md): the TwiML's
/// <c>&lt;Connect action&gt;</c> makes Twilio ask <c>/twilio/resume</c> what to do when a stream
/// ends, and the node that gets the new stream takes the conversation up from the call's
/// checkpoint. The Twilio leg reports each stream's start, first caller frame and end here.
/// </summary>
public interface ITwilioCallContinuity
{
    /// <summary>Whether <c>/twilio/resume</c> connects the call to a new stream (true) or hangs up: false only when the call ended normally.</summary>
    Task<bool> ShouldResumeAsync(string callSid, CancellationToken cancellationToken);

    /// <summary>
    /// A stream started and its session is about to run: a resumed stream (<paramref name="parameters"/>
    /// carry <see cref="TwilioEndpoints.ResumeParameter"/>) has its conversation restored into
    /// <paramref name="session"/>; every session's turn boundaries are checkpointed from now on.
    /// </summary>
    Task OnStreamStartAsync(CallSession session, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken);

    /// <summary>The stream's first caller frame arrived (a resumed call's gap ends here).</summary>
    void OnFirstFrame(CallSession session);

    /// <summary>
    /// The bridge ends the call (hang-up, last resort, transfer): <paramref name="ended"/> is recorded
    /// before the stream closes, so that Twilio's request to <c>/twilio/resume</c> finds the call over.
    /// </summary>
    Task OnCallEndingAsync(ConversationCheckpoint ended);

    /// <summary>
    /// The stream ended and its session has finished. <paramref name="callEnded"/>: the call ended
    /// normally (Twilio's <c>stop</c>, or the bridge hung up); false when the stream was lost, and
    /// the call may come back on a new one.
    /// </summary>
    Task OnStreamEndAsync(CallSession session, bool callEnded);
}
