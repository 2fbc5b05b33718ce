namespace VoiceBridge.Legs.Twilio;

/// <summary>Outcome of parsing one Media Streams text frame.</summary>
public enum TwilioParseStatus
{
    /// <summary>The message is well formed and carries everything its event needs.</summary>
    Ok,

    /// <summary>Well-formed JSON with an event we do not handle; count it and carry on.</summary>
    UnknownEvent,

    /// <summary>Not usable: bad JSON, missing or wrongly typed fields, bad audio.</summary>
    Invalid,
}
