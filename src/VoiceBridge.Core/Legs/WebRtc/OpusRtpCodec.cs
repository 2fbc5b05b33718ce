using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// Opus as an <see cref="RtpCallLeg"/>'s codec (RFC 7587): 48 kHz RTP clock, 960 timestamp units per
/// 20 ms, decoded to the call's 8 kHz mu-law before the jitter buffer. One per call: the encoder and
/// decoder carry state from frame to frame.
/// </summary>
public sealed class OpusRtpCodec : IRtpAudioCodec
{
    private readonly OpusAudio _opus;

    public OpusRtpCodec(OpusAudio opus)
    {
        ArgumentNullException.ThrowIfNull(opus);
        _opus = opus;
    }

    public string Name => "opus";

    public int ClockRate => OpusAudio.SampleRate;

    public int TimestampUnitsPerFrame => OpusAudio.FrameSamples48k;

    public int MaxPayloadBytes => OpusAudio.MaxPacketBytes;

    public int Encode(ReadOnlySpan<byte> mulaw160, Span<byte> payload) => _opus.Encode(mulaw160, payload);

    public bool TryDecode(ReadOnlySpan<byte> payload, Span<byte> mulaw, out int samples) => _opus.TryDecode(payload, mulaw, out samples);
}
