namespace VoiceBridge.Legs.WebRtc;

/// <summary>Outcome of parsing one STUN datagram (RFC 8489 sections 5 and 14). Only <see cref="Ok"/> carries a message.</summary>
public enum StunParseStatus
{
    /// <summary>A well-formed message (its FINGERPRINT and MESSAGE-INTEGRITY are still to be checked).</summary>
    Ok,

    /// <summary>Shorter than the 20-byte header.</summary>
    TooShort,

    /// <summary>Longer than <see cref="StunParser.MaxMessageLength"/>.</summary>
    TooLarge,

    /// <summary>The two leading bits are not zero: not STUN.</summary>
    NotStun,

    /// <summary>The magic cookie is not 0x2112A442 (a pre-RFC 5389 message, or not STUN).</summary>
    BadMagicCookie,

    /// <summary>The header's length is not a multiple of 4 or does not match the datagram.</summary>
    BadLength,

    /// <summary>An attribute runs past the end of the message.</summary>
    TruncatedAttribute,

    /// <summary>A known attribute has a length or value it may not have.</summary>
    BadAttribute,

    /// <summary>More attributes than <see cref="StunParser.MaxAttributes"/>.</summary>
    TooManyAttributes,

    /// <summary>Something follows FINGERPRINT, which must come last.</summary>
    AttributeAfterFingerprint,
}
