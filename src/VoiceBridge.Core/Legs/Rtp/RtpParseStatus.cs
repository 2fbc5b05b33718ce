namespace VoiceBridge.Legs.Rtp;

/// <summary>Outcome of parsing one RTP datagram (RFC 3550 section 5.1). Only <see cref="Ok"/> carries a packet.</summary>
public enum RtpParseStatus
{
    /// <summary>A well-formed packet.</summary>
    Ok,

    /// <summary>Shorter than the 12-byte fixed header.</summary>
    TooShort,

    /// <summary>The version field is not 2.</summary>
    BadVersion,

    /// <summary>The CSRC count promises more identifiers than the datagram holds.</summary>
    CsrcOverflow,

    /// <summary>The header extension's length runs past the end of the datagram.</summary>
    BadExtension,

    /// <summary>The padding count is zero or longer than what follows the header.</summary>
    BadPadding,
}
