using VoiceBridge.Fuzzing;

namespace VoiceBridge.Tests.Fuzzing;

/// <summary>
/// CI's short fuzzing run: every parser of untrusted input over a few thousand mutated inputs (the million-input
/// runs are the documented <c>voicebridge fuzz</c> command, docs/hardening.md). Fixed seed, so a failure here
/// reproduces with the same seed and input index.
/// </summary>
public sealed class FuzzTargetTests
{
    private const int InputsPerTarget = 2000;

    /// <summary>WavLoader designs a resampling filter per odd rate the mutator writes into the header: milliseconds per input.</summary>
    private const int WavInputs = 200;

    public static TheoryData<string> TargetNames() => [.. FuzzTargets.All().Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void ShortRunFindsNoCrashHangOrOverAllocation(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = name == "wav" ? WavInputs : InputsPerTarget, Seed = 20260101 }).Run();

        Assert.True(report.Clean, string.Join("\n\n", report.Findings.Select(f => $"{f.Kind} at input {f.InputIndex} ({Convert.ToBase64String(f.Input)}): {f.Detail}")));
        Assert.Equal(name == "wav" ? WavInputs : InputsPerTarget, report.Inputs);
        Assert.InRange(report.MaxAllocatedBytes, 0, target.MaxAllocatedBytes);
    }

    [Fact]
    public void EveryParserFamilyOfTheIssueHasATarget()
    {
        var names = FuzzTargets.All().Select(t => t.Name).ToHashSet();

        Assert.Superset(
            new HashSet<string> { "sip", "sdp", "rtp", "rtcp", "telephone-event", "stun", "dtls-record", "twilio-inbound", "realtime-server", "deepgram", "elevenlabs", "chat", "wav", "fault-spec", "chain-spec", "config" },
            names);
        Assert.Equal(names.Count, FuzzTargets.All().Count);
    }

    [Fact]
    public void EveryTargetHasSeedsThatFitItsInputLimit()
    {
        foreach (var target in FuzzTargets.All())
        {
            Assert.NotEmpty(target.Seeds);
            Assert.All(target.Seeds, seed => Assert.InRange(seed.Length, 1, target.MaxInputBytes));
        }
    }

    [Theory]
    [InlineData("wav")]
    [InlineData("ogg")]
    public void EveryRecordingSeedIsARecordingTheLoaderReads(string name)
    {
        var dir = Directory.CreateTempSubdirectory("vb-wav-seeds-");
        try
        {
            var seeds = FuzzTargets.Find(name)!.Seeds;
            for (var i = 0; i < seeds.Count; i++)
            {
                var path = Path.Combine(dir.FullName, $"seed{i}.wav");
                File.WriteAllBytes(path, seeds[i]);

                Assert.NotEmpty(VoiceBridge.Media.WavLoader.Load(path).Samples);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void TheSameSeedMakesTheSameInputsAndAnotherSeedOthers()
    {
        var target = FuzzTargets.Find("sip")!;

        var first = Inputs(target, seed: 7, count: 50);
        var again = Inputs(target, seed: 7, count: 50);
        var other = Inputs(target, seed: 8, count: 50);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void MutatedInputsStayWithinTheTargetsLimitAndVary()
    {
        var seeds = new List<byte[]> { new byte[100] };
        var mutator = new FuzzMutator(seeds, [], maxInputBytes: 256);
        var random = new FuzzRandom(3, "limit");
        var lengths = new HashSet<int>();
        for (int i = 0; i < 2000; i++)
        {
            var input = mutator.Next(ref random);
            Assert.InRange(input.Length, 0, 256);
            lengths.Add(input.Length);
        }

        Assert.Contains(256, lengths);
        Assert.Contains(0, lengths);
        Assert.True(lengths.Count > 50, $"only {lengths.Count} distinct lengths");
    }

    private static List<string> Inputs(FuzzTarget target, ulong seed, int count)
    {
        var mutator = new FuzzMutator(target.Seeds, target.Dictionary, target.MaxInputBytes);
        var random = new FuzzRandom(seed, target.Name);
        return [.. Enumerable.Range(0, count).Select(_ => Convert.ToBase64String(mutator.Next(ref random)))];
    }
}
