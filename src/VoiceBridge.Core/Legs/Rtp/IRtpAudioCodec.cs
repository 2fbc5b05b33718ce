namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// The audio codec of an RTP leg, between the bridge's 20 ms frames of 8 kHz mu-law and RTP payloads.
/// The leg sends 20 ms packets and buffers 20 ms frames whatever the codec; it takes packets of any
/// duration the codec can decode (<see cref="RtpReframer"/> cuts them into frames).
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
    /// Decodes one received payload of any duration into 8 kHz mu-law; <paramref name="samples"/> is how
    /// many bytes were written. False when the payload is empty, corrupt, or longer than
    /// <paramref name="mulaw"/> holds (<see cref="RtpReframer.MaxPacketSamples"/>: 120 ms).
    /// </summary>
    bool TryDecode(ReadOnlySpan<byte> payload, Span<byte> mulaw, out int samples);
}
