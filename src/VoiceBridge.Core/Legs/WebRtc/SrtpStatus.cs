namespace VoiceBridge.Legs.WebRtc;

/// <summary>Outcome of unprotecting one SRTP or SRTCP packet (RFC 3711 section 3.3). Only <see cref="Ok"/> leaves plaintext.</summary>
public enum SrtpStatus
{
    /// <summary>Authenticated, not a replay, decrypted in place.</summary>
    Ok,

    /// <summary>Shorter than the header (with its CSRCs and extension) plus the trailer the profile appends.</summary>
    TooShort,

    /// <summary>The authentication tag does not match: tampered, corrupted, or protected under other keys.</summary>
    AuthFailed,

    /// <summary>The index is inside the replay window and was already accepted.</summary>
    Replayed,

    /// <summary>The index is more than 64 packets behind the highest accepted one (RFC 3711 section 3.3.2).</summary>
    TooOld,

    /// <summary>The estimated index falls before the start of the stream (a rollover counter below zero).</summary>
    BadIndex,

    /// <summary>The version field is not 2.</summary>
    Malformed,

    /// <summary>An authenticated packet from a new SSRC when the context already tracks its maximum number of streams.</summary>
    TooManyStreams,
}
