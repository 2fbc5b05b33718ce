namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// One message the bridge sent to Twilio, refilled in place by <see cref="TwilioOutboundParser"/>
/// (the replay harness plays Twilio and reads these). Every parse clears all fields first.
/// Not thread-safe: use one instance per connection.
/// </summary>
public sealed class TwilioOutboundMessage
{
    /// <summary>Largest decoded audio payload accepted, in bytes.</summary>
    public const int PayloadCapacity = 4096;

    internal string? StreamSidCache;

    public TwilioOutboundKind Kind { get; internal set; }

    /// <summary>The same instance while it does not change.</summary>
    public string? StreamSid { get; internal set; }

    /// <summary>Decoded mu-law audio buffer; only the first <see cref="PayloadLength"/> bytes are this message's.</summary>
    public byte[] Payload { get; } = new byte[PayloadCapacity];

    public int PayloadLength { get; internal set; }

    public ReadOnlySpan<byte> PayloadSpan => Payload.AsSpan(0, PayloadLength);

    /// <summary><c>mark.name</c>.</summary>
    public string? MarkName { get; internal set; }

    internal void Reset()
    {
        Kind = TwilioOutboundKind.Unknown;
        StreamSid = null;
        PayloadLength = 0;
        MarkName = null;
    }
}
