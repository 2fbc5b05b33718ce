namespace VoiceBridge.Legs.Rtp;

/// <summary>What <see cref="JitterBuffer.Insert"/> did with a packet.</summary>
public enum JitterInsertResult
{
    /// <summary>Stored for playout (also when it arrived out of order).</summary>
    Inserted,

    /// <summary>Already stored or already played; dropped.</summary>
    Duplicate,

    /// <summary>Its play time has passed (or it is far behind the stream); dropped.</summary>
    TooLate,

    /// <summary>
    /// A large sequence or timestamp jump. Kept aside: when the next packet continues it, the sender
    /// restarted (new SSRC, new talkspurt numbering) and the buffer resets onto it; otherwise it is dropped.
    /// </summary>
    Held,

    /// <summary>This packet confirmed a held jump: the buffer was reset and both packets stored.</summary>
    Reset,

    /// <summary>The payload is not one 160-byte frame; dropped.</summary>
    BadSize,
}

/// <summary>What <see cref="JitterBuffer.Pop"/> wrote.</summary>
public enum JitterFrameKind
{
    /// <summary>A received frame, played once.</summary>
    Normal,

    /// <summary>Made up: the last frame repeated, attenuated, fading to silence over 100 ms (a loss, an underrun, or a frame inserted for drift).</summary>
    Concealed,

    /// <summary>Silence: nothing received yet, buffering before a (new) talkspurt, or concealment faded out with nothing to play.</summary>
    Silence,
}

/// <summary>A snapshot of a <see cref="JitterBuffer"/>'s figures; counters are cumulative over the call.</summary>
/// <param name="TargetDelayMs">The delay the buffer aims for, from measured jitter.</param>
/// <param name="CurrentDelayMs">How long the last played frame waited beyond the fastest recent packet's transit.</param>
/// <param name="ConcealedMs">Audio made up for losses, underruns and drift inserts.</param>
/// <param name="LatePackets">Arrived after their play time.</param>
/// <param name="DuplicatePackets">Arrived again while stored or after being played.</param>
/// <param name="DiscardedPackets">Received but never played for any reason but duplication: late, overflow, unconfirmed jumps, bad size.</param>
/// <param name="ReorderedPackets">Arrived after a later packet, still in time.</param>
/// <param name="DroppedForDrift">Frames skipped because the buffer ran over the target (fast sender clock, a delay that shrank).</param>
/// <param name="InsertedForDrift">Frames made up while the next frame was waiting, because the buffer ran under the target.</param>
/// <param name="Resets">Restarts on a confirmed sequence or timestamp jump.</param>
/// <param name="BufferedPackets">Frames waiting to be played.</param>
/// <param name="UnderrunFrames">Frames concealed because nothing at all was buffered: a slow sender clock, a delay spike, lost packets at the end of a talkspurt.</param>
public readonly record struct JitterBufferStats(
    int TargetDelayMs,
    int CurrentDelayMs,
    long ConcealedMs,
    long LatePackets,
    long DuplicatePackets,
    long DiscardedPackets,
    long ReorderedPackets,
    long DroppedForDrift,
    long InsertedForDrift,
    long Resets,
    int BufferedPackets,
    long UnderrunFrames);
