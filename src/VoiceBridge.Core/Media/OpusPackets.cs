using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Media;

/// <summary>
/// An Opus stream's audio packets as a container gave them, with the gaps its timestamps leave
/// between them: a WebRTC recording of a caller with DTX (discontinuous transmission) has no packets
/// while the caller is silent, and only the timestamps (Ogg granule positions, WebM block times)
/// say how long the silence was. Each gap becomes that much silence before the packet after it, so
/// the caller's words keep their times. The length is bounded as packets and gaps come, before
/// anything is decoded.
/// </summary>
internal sealed class OpusPackets(string path)
{
    private const int Rate = OpusAudio.SampleRate;

    private readonly List<ReadOnlyMemory<byte>> _packets = [];
    private readonly Dictionary<int, long> _gaps = [];

    public IReadOnlyList<ReadOnlyMemory<byte>> Packets => _packets;

    public int Count => _packets.Count;

    /// <summary>48 kHz samples the packets decode to (by their TOCs), gaps included.</summary>
    public long Samples { get; private set; }

    /// <summary>48 kHz samples of silence before packet <paramref name="index"/> (0: none).</summary>
    public long GapBefore(int index) => _gaps.GetValueOrDefault(index);

    /// <summary>Adds an audio packet; its samples from its TOC and frame count (RFC 6716 3.1-3.2).</summary>
    /// <exception cref="AudioFormatException">Not an Opus packet, or the stream is now longer than a recording may be.</exception>
    public void Add(ReadOnlyMemory<byte> packet)
    {
        var samples = OpusAudio.PacketSamples(packet.Span);
        if (samples < 0)
        {
            throw new AudioFormatException(path, $"corrupt Opus packet {_packets.Count + 1} of the audio: {packet.Length} bytes that are not an Opus packet of 2.5 to 120 ms");
        }

        _packets.Add(packet);
        Grow(samples);
    }

    /// <summary>Silence of <paramref name="samples"/> (48 kHz) before packet <paramref name="index"/>, added to any already there.</summary>
    public void AddGap(int index, long samples)
    {
        _gaps[index] = GapBefore(index) + samples;
        Grow(samples);
    }

    private void Grow(long samples)
    {
        Samples += samples;
        if (Samples > WavLoader.ChannelPicker.MaxRecordingSeconds * Rate)
        {
            throw new AudioFormatException(path, $"too long: more than {WavLoader.ChannelPicker.MaxRecordingSeconds / 3600} hours of Opus audio, a recording may hold at most that");
        }
    }
}
