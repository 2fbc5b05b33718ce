using System.Buffers.Binary;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>OpenAI's 24 kHz PCM stream to call audio: odd byte splits, exact length, signal kept.</summary>
public sealed class Pcm24kToMuLawTests
{
    [Fact]
    public void Any_split_of_the_byte_stream_gives_the_same_audio_of_a_third_the_samples()
    {
        var bytes = Tone(samples: 24000, hz: 440);
        var whole = Convert(bytes, [bytes.Length]);
        Assert.Equal(8000, whole.Length);

        var random = new Random(3);
        var pieces = new List<int>();
        for (var left = bytes.Length; left > 0;)
        {
            var n = Math.Min(left, random.Next(1, 999));
            pieces.Add(n);
            left -= n;
        }

        Assert.Contains(pieces, n => n % 2 == 1);
        Assert.Equal(whole, Convert(bytes, pieces));
    }

    [Fact]
    public void The_tone_survives_at_its_level()
    {
        var mulaw = Convert(Tone(samples: 24000, hz: 440), [48000]);
        var pcm = new short[mulaw.Length];
        G711.MuLawDecode(mulaw, pcm);
        var rms = Math.Sqrt(pcm.Skip(400).Take(7200).Average(s => (double)s * s));
        Assert.InRange(rms, 8000 / Math.Sqrt(2) * 0.9, 8000 / Math.Sqrt(2) * 1.1);
    }

    private static byte[] Convert(byte[] bytes, IEnumerable<int> pieces)
    {
        var converter = new Pcm24kToMuLaw();
        var output = new List<byte>();
        var offset = 0;
        foreach (var n in pieces)
        {
            output.AddRange(converter.Convert(bytes.AsSpan(offset, n)));
            offset += n;
        }

        output.AddRange(converter.Finish());
        return [.. output];
    }

    private static byte[] Tone(int samples, double hz)
    {
        var bytes = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), (short)(8000 * Math.Sin(2 * Math.PI * hz * i / 24000)));
        }

        return bytes;
    }
}
