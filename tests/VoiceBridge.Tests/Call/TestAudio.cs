using VoiceBridge.Media;

namespace VoiceBridge.Tests.Call;

/// <summary>Synthetic mu-law 8 kHz caller and agent audio.</summary>
internal static class TestAudio
{
    /// <summary>A 440 Hz sine at -10 dBFS (mean power against full scale), mu-law encoded.</summary>
    public static byte[] Tone(int ms, double frequency = 440, double dbfs = -10)
    {
        var samples = (int)CallClock.MsToSamples(ms);
        var amplitude = 32768.0 * Math.Sqrt(2) * Math.Pow(10, dbfs / 20);
        var pcm = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            pcm[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * i / CallClock.SampleRate));
        }

        var mulaw = new byte[samples];
        G711.MuLawEncode(pcm, mulaw);
        return mulaw;
    }

    public static byte[] Silence(int ms) => Enumerable.Repeat(G711.MuLawSilence, (int)CallClock.MsToSamples(ms)).ToArray();

    /// <summary>Distinct, recognisable bytes (never the silence code), so misplaced audio shows.</summary>
    public static byte[] Pattern(int samples, int seed = 1)
    {
        var bytes = new byte[samples];
        for (var i = 0; i < samples; i++)
        {
            bytes[i] = (byte)((((i * 31) + (seed * 97)) % 254) + 1);
        }

        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
