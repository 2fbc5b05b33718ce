namespace VoiceBridge.Benchmarks;

/// <summary>One 20 ms frame of test audio (160 samples at 8 kHz), the unit every benchmark works on.</summary>
internal static class Frames
{
    public const int Samples = 160;

    /// <summary>A 440 Hz tone at about -12 dBFS: real-looking audio, not a constant the codecs could shortcut.</summary>
    public static short[] Linear(int samples = Samples, int rate = 8000)
    {
        var pcm = new short[samples];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate));
        }

        return pcm;
    }

    public static byte[] MuLaw()
    {
        var pcm = Linear();
        var mulaw = new byte[Samples];
        Media.G711.MuLawEncode(pcm, mulaw);
        return mulaw;
    }
}
