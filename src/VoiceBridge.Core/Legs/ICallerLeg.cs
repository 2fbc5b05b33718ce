namespace VoiceBridge.Legs;

/// <summary>
/// The outbound side of a caller leg, as the playout buffer drives it. A leg that learns what
/// was played through the carrier (Twilio marks) echoes marks back; a leg that plays by its own
/// clock (RTP) reports a mark played as soon as the audio before it is sent.
/// </summary>
public interface ICallerLegOutput
{
    /// <summary>Sends one 20 ms frame of mu-law audio.</summary>
    void SendAudio(ReadOnlySpan<byte> frame);

    /// <summary>Sends a mark after the audio sent so far; the leg reports it back (<c>CallSession.OnMarkAsync</c>) once that audio has played.</summary>
    void SendMark(PlayoutMark mark);

    /// <summary>Drops audio the carrier buffered and not yet played (barge-in).</summary>
    void Clear();

    /// <summary>Ends the call from our side (the last resort, the <c>hangup</c> tool); the leg closes once what was sent is flushed.</summary>
    void HangUp();

    /// <summary>
    /// Moves the call to <paramref name="target"/> (an E.164 number or a <c>sip:</c> URI, already
    /// validated). Completes once the carrier has accepted the transfer; the leg then ends as the
    /// carrier takes the call away (Twilio stops the media stream). Throws when the carrier refused
    /// or could not be reached: the call is still here, and the session hangs up instead.
    /// </summary>
    Task TransferAsync(string target, CancellationToken cancellationToken);

    /// <summary>
    /// Presses <paramref name="digits"/> toward the caller's side (RFC 4733 on an RTP leg), ahead of
    /// any agent audio not yet sent. False when the carrier has no way to: Twilio Media Streams
    /// cannot send keys, and a SIP caller may not have offered telephone-event.
    /// </summary>
    bool SendDtmf(string digits) => false;
}
