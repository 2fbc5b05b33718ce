namespace VoiceBridge.Legs.Twilio;

/// <summary>The <c>event</c> of a Media Streams message Twilio sends to the bridge.</summary>
public enum TwilioEventKind
{
    Connected,
    Start,
    Media,
    Mark,
    Dtmf,
    Stop,
    Unknown,
}
