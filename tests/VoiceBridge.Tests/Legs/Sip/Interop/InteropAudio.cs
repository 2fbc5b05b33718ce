using System.Text.Json;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Legs.Sip.Interop;

/// <summary>Caller audio for peers that play a file as it is (no turn-taking): a fixture's utterances with room after each for the agent's reply.</summary>
internal static class InteropAudio
{
    /// <summary>The fixture's utterances (times from the manifest) at 8 kHz, each followed by <paramref name="gap"/> of silence.</summary>
    public static short[] Spaced(string fixture, TimeSpan gap, int utterances = int.MaxValue)
    {
        var recording = WavLoader.Load(RepoPaths.Fixture(fixture)).Samples;
        using var manifest = JsonDocument.Parse(File.ReadAllText(RepoPaths.Fixture("manifest.json")));
        var entry = manifest.RootElement.GetProperty("fixtures").EnumerateArray().Single(f => f.GetProperty("file").GetString() == fixture);
        var output = new List<short>(new short[CallClock.SampleRate / 2]);
        foreach (var u in entry.GetProperty("utterances").EnumerateArray().Take(utterances))
        {
            var start = (int)(u.GetProperty("start_s").GetDouble() * CallClock.SampleRate);
            var end = Math.Min(recording.Length, (int)(u.GetProperty("end_s").GetDouble() * CallClock.SampleRate) + 800);
            output.AddRange(recording.AsSpan(start, end - start).ToArray());
            output.AddRange(new short[(int)(gap.TotalSeconds * CallClock.SampleRate)]);
        }

        return [.. output];
    }

    /// <summary>
    /// A sipp scenario that streams <paramref name="caller"/> as PCMU: writes the audio as raw mu-law
    /// and the scenario <paramref name="template"/> (repository-relative) with CALLER_ULAW_FILE and
    /// CALL_MS (the audio's length + 2 s) filled in, both into <paramref name="dir"/>.
    /// </summary>
    public static async Task<(string Scenario, long CallMs)> StreamScenarioAsync(string dir, string template, short[] caller)
    {
        var ulaw = Path.Combine(dir, "caller.ulaw");
        var encoded = new byte[caller.Length];
        G711.MuLawEncode(caller, encoded);
        await File.WriteAllBytesAsync(ulaw, encoded);
        var callMs = CallClock.SamplesToMs(caller.Length) + 2000;
        var scenario = Path.Combine(dir, "uac.xml");
        await File.WriteAllTextAsync(scenario, (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, template)))
            .Replace("CALLER_ULAW_FILE", ulaw, StringComparison.Ordinal)
            .Replace("CALL_MS", callMs.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        return (scenario, callMs);
    }

    /// <summary>How many stretches of speech <paramref name="pcm"/> holds (our VAD), to count the agent's replies in a recording.</summary>
    public static int SpeechSegments(short[] pcm) => EnergyVad.FindSegments(pcm, new VadOptions()).Count;

    /// <summary>The longest run of quiet (no sample above 300) between the first and last loud sample, in ms.</summary>
    public static long LongestGapMs(short[] pcm, int fromSample, int toSample)
    {
        long longest = 0;
        long run = 0;
        for (var i = Math.Max(0, fromSample); i < Math.Min(pcm.Length, toSample); i++)
        {
            run = Math.Abs((int)pcm[i]) > 300 ? 0 : run + 1;
            longest = Math.Max(longest, run);
        }

        return CallClock.SamplesToMs(longest);
    }
}
