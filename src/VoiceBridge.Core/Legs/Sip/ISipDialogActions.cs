namespace VoiceBridge.Legs.Sip;

/// <summary>What a SIP call's media leg asks of its dialog (the signalling side of the same call).</summary>
internal interface ISipDialogActions
{
    /// <summary>Ends the call from our side with a BYE (retransmitted until answered or timed out).</summary>
    void SendBye(string reason);

    /// <summary>
    /// Asks the caller's side to move the call to <paramref name="target"/> (REFER, RFC 3515).
    /// Completes when the REFER is accepted (202); throws when it is refused or unanswered.
    /// </summary>
    Task ReferAsync(string target, CancellationToken cancellationToken);
}
