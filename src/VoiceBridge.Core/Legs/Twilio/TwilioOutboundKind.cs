namespace VoiceBridge.Legs.Twilio;

/// <summary>The <c>event</c> of a Media Streams message the bridge sends to Twilio.</summary>
public enum TwilioOutboundKind
{
    Media,
    Mark,
    Clear,
    Unknown,
}
