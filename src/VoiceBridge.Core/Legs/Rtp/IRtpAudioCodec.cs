namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// The audio codec of an RTP leg, between the bridge's 20 ms frames of 8 kHz mu-law and RTP payloads.
/// The leg paces, numbers and buffers in 20 ms frames whatever the codec: only the payload bytes and
/// the RTP clock differ.
/// </summary>
public interface IRtpAudioCodec
{
    /// <summary>The codec's name, for logs.</summary>
    string Name { get; }

    /// <summary>The RTP clock rate: 8000 for G.711, 48000 for Opus (RFC 7587).</summary>
    int ClockRate { get; }

    /// <summary>RTP timestamp units per 20 ms packet: 160 for G.711, 960 for Opus.</summary>
    int TimestampUnitsPerFrame { get; }

    /// <summary>The largest payload <see cref="Encode"/> writes.</summary>
    int MaxPayloadBytes { get; }

    /// <summary>Encodes one 20 ms frame of mu-law (160 bytes) into <paramref name="payload"/>; returns the payload length.</summary>
    int Encode(ReadOnlySpan<byte> mulaw160, Span<byte> payload);

    /// <summary>
    /// Decodes one received payload into 160 bytes of mu-law. False, with <paramref name="mulaw160"/> untouched,
    /// when the payload is not one 20 ms frame this codec can decode (the answer says <c>a=ptime:20</c>).
    /// </summary>
    bool TryDecode(ReadOnlySpan<byte> payload, Span<byte> mulaw160);
}
