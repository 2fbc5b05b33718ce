namespace VoiceBridge.Media;

/// <summary>A WAV codec stored in fixed blocks (ADPCM, GSM 6.10), decoded one block at a time by <see cref="WavLoader"/>.</summary>
internal interface IBlockDecoder
{
    /// <summary>The encoding as a recording's report names it (e.g. "GSM 6.10").</summary>
    string Name { get; }

    int BlockAlign { get; }

    int SamplesPerBlock { get; }

    /// <summary>The sample frames <paramref name="dataBytes"/> of blocks decode to.</summary>
    long FramesIn(string path, long dataBytes);

    /// <summary>Decodes one block (the last may be shorter) into interleaved 16-bit samples; returns the frames written.</summary>
    int Decode(string path, ReadOnlySpan<byte> block, Span<short> interleaved);
}
