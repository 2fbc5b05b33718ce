using System.Text;

namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// One message from Twilio, refilled in place by <see cref="TwilioMessageParser"/> so that steady-state
/// media parsing allocates nothing. Every parse clears all fields first; a field the message does not
/// carry is null, zero or empty. Not thread-safe: use one instance per connection.
/// </summary>
public sealed class TwilioInboundMessage
{
    /// <summary>Largest decoded audio payload accepted, in bytes (a normal frame is 160).</summary>
    public const int PayloadCapacity = 4096;

    /// <summary>Longest <c>mark.name</c> accepted, in UTF-8 bytes (ours are at most 33).</summary>
    public const int MarkNameCapacity = 256;

    private static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();

    internal string? StreamSidCache;
    internal string? TrackCache;

    public TwilioEventKind Kind { get; internal set; }

    /// <summary>Twilio's <c>sequenceNumber</c>; null on <c>connected</c>, which has none.</summary>
    public long? SequenceNumber { get; internal set; }

    /// <summary>Set on every event but <c>connected</c>; the same instance while it does not change.</summary>
    public string? StreamSid { get; internal set; }

    /// <summary>From <c>start</c> and <c>stop</c>.</summary>
    public string? AccountSid { get; internal set; }

    /// <summary>From <c>start</c> and <c>stop</c>.</summary>
    public string? CallSid { get; internal set; }

    /// <summary><c>media.track</c> or <c>dtmf.track</c>; the same instance while it does not change.</summary>
    public string? Track { get; internal set; }

    /// <summary><c>media.chunk</c>: Twilio's 1-based chunk counter.</summary>
    public long Chunk { get; internal set; }

    /// <summary><c>media.timestamp</c>: milliseconds since the stream started.</summary>
    public long TimestampMs { get; internal set; }

    /// <summary>Decoded mu-law audio buffer; only the first <see cref="PayloadLength"/> bytes are this message's.</summary>
    public byte[] Payload { get; } = new byte[PayloadCapacity];

    public int PayloadLength { get; internal set; }

    public ReadOnlySpan<byte> PayloadSpan => Payload.AsSpan(0, PayloadLength);

    /// <summary><c>mark.name</c> of a mark Twilio echoes back, as a new string (the leg reads <see cref="MarkNameUtf8"/> instead).</summary>
    public string? MarkName => MarkNameLength < 0 ? null : Encoding.UTF8.GetString(MarkNameUtf8);

    /// <summary><c>mark.name</c>, unescaped UTF-8, read without allocating; empty when there is none.</summary>
    public ReadOnlySpan<byte> MarkNameUtf8 => MarkNameBuffer.AsSpan(0, Math.Max(0, MarkNameLength));

    internal byte[] MarkNameBuffer { get; } = new byte[MarkNameCapacity];

    /// <summary>Bytes of <see cref="MarkNameBuffer"/> in use; -1 when the message has no <c>mark.name</c>.</summary>
    internal int MarkNameLength { get; set; } = -1;

    /// <summary><c>dtmf.digit</c>.</summary>
    public string? Digit { get; internal set; }

    /// <summary><c>start.customParameters</c>: the TwiML <c>&lt;Parameter&gt;</c>s.</summary>
    public IReadOnlyDictionary<string, string> CustomParameters { get; internal set; } = NoParameters;

    /// <summary><c>start.tracks</c>.</summary>
    public string[] Tracks { get; internal set; } = [];

    /// <summary><c>start.mediaFormat.encoding</c>; the parser accepts only <c>audio/x-mulaw</c>.</summary>
    public string? MediaEncoding { get; internal set; }

    /// <summary><c>start.mediaFormat.sampleRate</c>; the parser accepts only 8000.</summary>
    public int? MediaSampleRate { get; internal set; }

    /// <summary><c>start.mediaFormat.channels</c>; the parser accepts only 1.</summary>
    public int? MediaChannels { get; internal set; }

    internal void Reset()
    {
        Kind = TwilioEventKind.Unknown;
        SequenceNumber = null;
        StreamSid = null;
        AccountSid = null;
        CallSid = null;
        Track = null;
        Chunk = 0;
        TimestampMs = 0;
        PayloadLength = 0;
        MarkNameLength = -1;
        Digit = null;
        CustomParameters = NoParameters;
        Tracks = [];
        MediaEncoding = null;
        MediaSampleRate = null;
        MediaChannels = null;
    }
}
