namespace VoiceBridge.Legs.Rtp;

/// <summary>What an <see cref="RtpCallLeg"/> asks of the signalling that owns its call (a SIP dialog, a WHIP session).</summary>
public interface IRtpCallControl
{
    /// <summary>Ends the call from our side (the agent hung up, or the caller's RTP stopped); <paramref name="reason"/> is for logs.</summary>
    void HangUp(string reason);

    /// <summary>Moves the call to <paramref name="target"/>; throws when the signalling cannot or the far end refused.</summary>
    Task TransferAsync(string target, CancellationToken cancellationToken);
}
