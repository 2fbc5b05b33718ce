using VoiceBridge.Engines.Cascade.Local;

namespace VoiceBridge.Simulator;

/// <summary>
/// How a simulated provider "transcribes" a caller turn the harness gave it no words for. The
/// simulators take the words of a recording's manifest when there is one (exact, so replies and
/// checks are deterministic); a recording without a manifest is still speech, and a provider that
/// heard speech transcribes something: without this, every such turn came out empty, which the
/// call rightly reads as a deaf provider (quality regression) and switches away from.
/// </summary>
public interface ISimulatedRecognizer
{
    /// <summary>The words of one caller turn (8 kHz PCM); empty when nothing was recognised.</summary>
    string Recognize(ReadOnlySpan<short> pcm8k);
}

/// <summary>
/// The local recogniser (pocketsphinx with the domain grammar, as the local cascade uses): accurate
/// on the domain's phrases only (docs/local-stt.md), which is what a scripted stand-in needs. A fresh
/// decoder for every turn (starting one takes 13-24 ms, a decode 100-200): a decoder keeps state from
/// one utterance to the next (its noise estimate), so a shared one made the same recording come out
/// with other words depending on which calls ran before it. When pocketsphinx cannot run, turns
/// come out empty, as they did before, and the first failure says why.
/// </summary>
public sealed class LocalSimulatedRecognizer : ISimulatedRecognizer
{
    private readonly PocketsphinxOptions _options = new();
    private volatile bool _failed;

    public static LocalSimulatedRecognizer Shared { get; } = new();

    /// <summary>Why pocketsphinx could not be started; null while it works.</summary>
    public string? Failure { get; private set; }

    public string Recognize(ReadOnlySpan<short> pcm8k)
    {
        if (pcm8k.IsEmpty || _failed)
        {
            return "";
        }

        PocketsphinxDecoder decoder;
        try
        {
            decoder = PocketsphinxDecoder.Create(_options, LocalStages.DomainGrammar);
        }
        catch (PocketsphinxException e)
        {
            Failure ??= e.Message;
            _failed = true;
            return "";
        }

        using (decoder)
        {
            return decoder.Decode(NarrowbandUpsampler.Upsample(pcm8k, _options.BandFillDb)).Text;
        }
    }
}
