using VoiceBridge.Speech;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>Text sources and audio sinks for the text-to-speech tests.</summary>
internal static class Speech
{
    /// <summary>One synthesizer for the whole test run (espeak-ng output is cached per text).</summary>
    public static EspeakSynthesizer Espeak { get; } = new();

    /// <summary>Text chunks as an LLM would stream them.</summary>
    public static async IAsyncEnumerable<string> Chunks(params string[] chunks)
    {
        foreach (var chunk in chunks)
        {
            await Task.Yield();
            yield return chunk;
        }
    }

    /// <summary>All the audio, bounded in time.</summary>
    public static Task<byte[]> CollectAsync(IAsyncEnumerable<byte[]> audio) => CollectCoreAsync(audio).WaitAsync(EventLog<string>.Bound);

    private static async Task<byte[]> CollectCoreAsync(IAsyncEnumerable<byte[]> audio)
    {
        var all = new List<byte>();
        await foreach (var chunk in audio)
        {
            all.AddRange(chunk);
        }

        return [.. all];
    }
}
