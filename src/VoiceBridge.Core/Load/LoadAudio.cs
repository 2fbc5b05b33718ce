using VoiceBridge.Media;

namespace VoiceBridge.Load;

/// <summary>
/// The recorded caller every load call plays: its utterances (found with the bridge's own VAD) as
/// whole 20 ms mu-law frames, shared read-only by all calls, so a call costs no copy of the recording.
/// </summary>
public sealed class LoadAudio
{
    /// <summary>Audio kept before each utterance's first voiced frame, so its onset is not clipped.</summary>
    private const int LeadInSamples = CallClock.FrameSamples * 5;

    private LoadAudio(IReadOnlyList<byte[]> utterances) => Utterances = utterances;

    /// <summary>Each utterance, mu-law, a whole number of frames long.</summary>
    public IReadOnlyList<byte[]> Utterances { get; }

    /// <summary>The utterances of an 8 kHz recording; an error naming the problem when it has none.</summary>
    public static LoadAudio FromRecording(short[] pcm8k, string name)
    {
        var segments = EnergyVad.FindSegments(pcm8k, new VadOptions());
        if (segments.Count == 0)
        {
            throw new InvalidDataException($"{name}: no speech found to play");
        }

        var utterances = new List<byte[]>(segments.Count);
        foreach (var (start, end) in segments)
        {
            var from = (int)Math.Max(0, start - LeadInSamples);
            var length = (int)(end - from);
            var frames = (length + CallClock.FrameSamples - 1) / CallClock.FrameSamples;
            var mulaw = new byte[frames * CallClock.FrameSamples];
            mulaw.AsSpan().Fill(G711.MuLawSilence);
            G711.MuLawEncode(pcm8k.AsSpan(from, length), mulaw);
            utterances.Add(mulaw);
        }

        return new LoadAudio(utterances);
    }
}
