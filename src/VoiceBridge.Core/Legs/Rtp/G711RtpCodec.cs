using VoiceBridge.Media;

namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// G.711 on RTP (RFC 3551): PCMU is the bridge's own format, carried as is; PCMA is carried as mu-law
/// inside the bridge and converted at the leg. Stateless, so the two instances serve every call.
/// </summary>
public sealed class G711RtpCodec : IRtpAudioCodec
{
    private readonly bool _alaw;

    private G711RtpCodec(bool alaw) => _alaw = alaw;

    /// <summary>G.711 mu-law, static payload type 0.</summary>
    public static G711RtpCodec Pcmu { get; } = new(alaw: false);

    /// <summary>G.711 A-law, static payload type 8.</summary>
    public static G711RtpCodec Pcma { get; } = new(alaw: true);

    public string Name => _alaw ? "PCMA" : "PCMU";

    public int ClockRate => CallClock.SampleRate;

    public int TimestampUnitsPerFrame => CallClock.FrameSamples;

    public int MaxPayloadBytes => CallClock.FrameSamples;

    public int Encode(ReadOnlySpan<byte> mulaw160, Span<byte> payload)
    {
        if (!_alaw)
        {
            mulaw160.CopyTo(payload);
            return mulaw160.Length;
        }

        for (var i = 0; i < mulaw160.Length; i++)
        {
            payload[i] = G711.LinearToALaw(G711.MuLawToLinear(mulaw160[i]));
        }

        return mulaw160.Length;
    }

    /// <summary>One byte a sample: a payload of any length up to <paramref name="mulaw"/>'s decodes.</summary>
    public bool TryDecode(ReadOnlySpan<byte> payload, Span<byte> mulaw, out int samples)
    {
        samples = 0;
        if (payload.IsEmpty || payload.Length > mulaw.Length)
        {
            return false;
        }

        samples = payload.Length;
        if (!_alaw)
        {
            payload.CopyTo(mulaw);
            return true;
        }

        for (var i = 0; i < payload.Length; i++)
        {
            mulaw[i] = G711.LinearToMuLaw(G711.ALawToLinear(payload[i]));
        }

        return true;
    }
}
