using System.Collections.Concurrent;
using System.Diagnostics;
using VoiceBridge.Media;

namespace VoiceBridge.Speech;

/// <summary>
/// Local speech with espeak-ng (a Debian package; no network, no keys), resampled to 8 kHz and
/// encoded mu-law. Results are cached per text: a call repeats phrases, and the simulator's
/// replies are a script.
/// </summary>
public sealed class EspeakSynthesizer(string voice = "en-us", int wordsPerMinute = 175) : ISpeechSynthesizer
{
    private readonly ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    public byte[] SynthesizeMuLaw(string text) => _cache.GetOrAdd(text, Render);

    private byte[] Render(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"voicebridge-tts-{Guid.NewGuid():N}.wav");
        try
        {
            var start = new ProcessStartInfo("espeak-ng")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "-v", voice, "-s", wordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", path, "--", text })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new SpeechSynthesisException("espeak-ng did not start");
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new SpeechSynthesisException($"espeak-ng exited {process.ExitCode}: {stderr.Trim()}");
            }

            var pcm = WavLoader.Load(path).Samples;
            var mulaw = new byte[pcm.Length];
            G711.MuLawEncode(pcm, mulaw);
            return mulaw;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SpeechSynthesisException("espeak-ng is not installed (run scripts/setup.sh, or apt-get install espeak-ng)", e);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
