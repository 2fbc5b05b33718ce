using Concentus;
using Concentus.Enums;
using VoiceBridge.Media;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The Opus side of one browser call, in 20 ms frames: the bridge's 8 kHz mu-law in and out, Opus at
/// 48 kHz on the wire. Encoding is mono (RFC 7587 signals <c>opus/48000/2</c> regardless; a stereo-capable
/// decoder plays mono packets on both channels). Decoding folds whatever the browser sends down to mono.
/// Each direction keeps its own resampler state, so one instance serves one call; buffers are allocated
/// once here, and <see cref="Encode"/> and <see cref="TryDecode"/> reuse them.
/// Encoding and decoding share no state, so a call's send loop may encode while its receive loop decodes;
/// neither side is safe for two threads at once.
/// </summary>
/// <remarks>
/// The 8 kHz to 48 kHz resampler's low-pass (0.46 of 8 kHz) means the Opus stream carries nothing
/// above about 3.7 kHz, so the encoder is capped at wideband: more bandwidth would spend bits on silence.
/// Our own steps (G.711, resampling) allocate nothing per frame, but Concentus 2.2.2 does internally
/// (about 70 KB per encoded and 10 KB per decoded 20 ms frame): short-lived gen-0 garbage.
/// </remarks>
public sealed class OpusAudio
{
    /// <summary>Opus's RTP and decoding rate.</summary>
    public const int SampleRate = 48000;

    /// <summary>Mu-law samples per 20 ms frame.</summary>
    public const int FrameSamples8k = 160;

    /// <summary>48 kHz samples per 20 ms frame, also the RTP timestamp step (RFC 7587 section 4.1).</summary>
    public const int FrameSamples48k = 960;

    /// <summary>The largest Opus packet we produce (RFC 6716 section 3.2.1 caps a frame at 1275 bytes).</summary>
    public const int MaxPacketBytes = 1275;

    /// <summary>The longest packet duration Opus allows: 120 ms at 48 kHz.</summary>
    public const int MaxPacketSamples48k = 5760;

    private const int Ratio = SampleRate / 8000;

    private readonly IOpusEncoder _encoder;
    private readonly IOpusDecoder _decoder;
    private readonly Resampler _up = new(8000, SampleRate);
    private readonly Resampler _down = new(SampleRate, 8000);
    private readonly short[] _encode8k = new short[FrameSamples8k];
    private readonly short[] _encode48k = new short[FrameSamples48k];
    private readonly short[] _decode48k = new short[MaxPacketSamples48k];
    private readonly short[] _decode8k = new short[MaxPacketSamples48k / Ratio];

    /// <summary>Creates an encoder (VOIP application, mono, 48 kHz) and a mono 48 kHz decoder.</summary>
    /// <param name="bitrate">Encoder target in bits per second; 24 kb/s is transparent for telephone-band speech.</param>
    public OpusAudio(int bitrate = 24000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bitrate, 6000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bitrate, 510000);
        _encoder = OpusCodecFactory.CreateEncoder(SampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        _encoder.Bitrate = bitrate;
        _encoder.SignalType = OpusSignal.OPUS_SIGNAL_VOICE;
        _encoder.MaxBandwidth = OpusBandwidth.OPUS_BANDWIDTH_WIDEBAND;
        _decoder = OpusCodecFactory.CreateDecoder(SampleRate, 1);
    }

    /// <summary>
    /// Encodes one 20 ms frame of mu-law (<see cref="FrameSamples8k"/> bytes) into <paramref name="opusOut"/>
    /// (<see cref="MaxPacketBytes"/> is always enough); returns the packet length.
    /// </summary>
    public int Encode(ReadOnlySpan<byte> mulaw8k160, Span<byte> opusOut)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(mulaw8k160.Length, FrameSamples8k, nameof(mulaw8k160));
        ArgumentOutOfRangeException.ThrowIfZero(opusOut.Length, nameof(opusOut));
        G711.MuLawDecode(mulaw8k160, _encode8k);
        int upsampled = _up.Process(_encode8k, _encode48k);
        return _encoder.Encode(_encode48k.AsSpan(0, upsampled), FrameSamples48k, opusOut, Math.Min(opusOut.Length, MaxPacketBytes));
    }

    /// <summary>
    /// Decodes a packet of any legal duration (2.5 to 120 ms) into mu-law; <paramref name="samples8k"/> is
    /// how many bytes were written (duration in ms times 8). False when the packet is corrupt or
    /// <paramref name="mulaw8k"/> is too short for it.
    /// </summary>
    public bool TryDecode(ReadOnlySpan<byte> opus, Span<byte> mulaw8k, out int samples8k)
    {
        samples8k = 0;
        int samples = PacketSamples(opus);
        if (samples <= 0 || samples / Ratio > mulaw8k.Length)
        {
            return false;
        }

        if (opus.Length == 1 && (opus[0] & 0x3) < 2)
        {
            // A packet of its table of contents alone (one or two frames of length 0, RFC 6716 section
            // 3.2.1) is what an encoder in DTX sends while the talker is silent: silence for its
            // duration. Concentus refuses it once it has decoded speech.
            samples8k = samples / Ratio;
            mulaw8k[..samples8k].Fill(G711.MuLawSilence);
            return true;
        }

        int decoded = SafeDecode(opus, MaxPacketSamples48k, fec: false);
        if (decoded < 0)
        {
            return false;
        }

        samples8k = Downsample(decoded, mulaw8k);
        return true;
    }

    /// <summary>The packet's duration in 48 kHz samples, or -1 when its table of contents is invalid.</summary>
    public static int PacketSamples(ReadOnlySpan<byte> opus)
    {
        if (opus.IsEmpty)
        {
            return -1;
        }

        int frames = (opus[0] & 0x3) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => opus.Length < 2 ? -1 : opus[1] & 0x3F,
        };
        int samples = frames * FrameSize(opus[0]);
        return frames > 0 && samples <= MaxPacketSamples48k ? samples : -1;
    }

    // RFC 6716 section 3.1: the TOC's config (top five bits) fixes the frame duration.
    private static int FrameSize(byte toc)
    {
        int config = toc >> 3;
        return config switch
        {
            < 12 => (config & 3) == 3 ? SampleRate * 60 / 1000 : (SampleRate / 100) << (config & 3),
            < 16 => (config & 1) == 0 ? SampleRate / 100 : SampleRate / 50,
            _ => (SampleRate / 400) << (config & 3),
        };
    }

    // Concentus reports most bad packets with OpusException, but a port of C can also index out of range on
    // hostile bytes; either way the packet is dropped and the decoder restarted, since its state may be half-updated.
    private int SafeDecode(ReadOnlySpan<byte> packet, int maxSamples, bool fec)
    {
        try
        {
            return _decoder.Decode(packet, _decode48k, maxSamples, fec);
        }
        catch (Exception e) when (e is OpusException or IndexOutOfRangeException or ArgumentException)
        {
            _decoder.ResetState();
            return -1;
        }
    }

    private int Downsample(int decoded48k, Span<byte> mulaw)
    {
        Span<short> pcm8k = _decode8k.AsSpan(0, _down.Process(_decode48k.AsSpan(0, decoded48k), _decode8k));
        G711.MuLawEncode(pcm8k, mulaw);
        return pcm8k.Length;
    }
}
