using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Fuzzing;
using VoiceBridge.Tests.Media;

namespace VoiceBridge.Tests.Fuzzing;

/// <summary>The harness itself can fail: a crash, a hang and an over-allocation each turn into a finding, saved for reproduction.</summary>
public sealed class FuzzRunnerTests
{
    private static readonly byte[][] Seeds = [Encoding.ASCII.GetBytes("INVITE sip:bob@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n")];

    [Fact]
    public void AThrowingParserIsACrashSavedWithItsInput()
    {
        using var directory = new TempDirectory();
        var target = new FuzzTarget("toy", "throws on every input", Seeds, _ => throw new IndexOutOfRangeException("toy bug"));

        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = 100, ArtifactDirectory = directory.Path }).Run();

        Assert.False(report.Clean);
        Assert.Equal(101, report.Crashes); // the seed's warm-up pass, then every input
        var finding = Assert.Single(report.Findings); // one distinct bug, kept once
        Assert.Equal(FuzzFindingKind.Crash, finding.Kind);
        Assert.Contains("toy bug", finding.Detail, StringComparison.Ordinal);
        Assert.Equal(finding.Input, File.ReadAllBytes(finding.ArtifactPath!));
        string text = File.ReadAllText(Path.ChangeExtension(finding.ArtifactPath!, ".txt"));
        Assert.Contains(Convert.ToBase64String(finding.Input), text, StringComparison.Ordinal);
        Assert.Contains("voicebridge fuzz --target toy --reproduce", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ABugOnlyMutatedInputsReachIsFound()
    {
        // Throws on a byte no seed holds: only the mutator can produce it.
        var target = new FuzzTarget("toy", "throws on 0xFF", Seeds, input =>
        {
            if (input.Contains((byte)0xFF))
            {
                throw new InvalidOperationException("0xFF");
            }
        });

        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = 2000 }).Run();

        Assert.True(report.Crashes > 0);
        var finding = Assert.Single(report.Findings);
        Assert.True(finding.InputIndex >= 0);
        Assert.Contains((byte)0xFF, finding.Input);
        Assert.Equal(FuzzFindingKind.Crash, FuzzRunner.Reproduce(target, finding.Input, TimeProvider.System)?.Kind);
        Assert.Null(FuzzRunner.Reproduce(target, Seeds[0], TimeProvider.System));
    }

    [Fact]
    public void ADocumentedRejectionIsNotACrash()
    {
        var target = new FuzzTarget("toy", "rejects everything", Seeds, input =>
        {
            try
            {
                throw new FormatException("not a message");
            }
            catch (FormatException)
            {
                // The parser's documented rejection: what the target delegate is for.
            }
        });

        Assert.True(new FuzzRunner(target, new FuzzRunOptions { Inputs = 500 }).Run().Clean);
    }

    [Fact]
    public void ASlowParseIsAHang()
    {
        var time = new FakeTimeProvider();
        var target = new FuzzTarget("toy", "slow on long inputs", Seeds, input =>
        {
            if (input.Length > Seeds[0].Length)
            {
                time.Advance(TimeSpan.FromSeconds(2));
            }
        });

        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = 300, Time = time }).Run();

        Assert.True(report.Hangs > 0);
        Assert.Equal(0, report.Crashes);
        Assert.All(report.Findings, f => Assert.Equal(FuzzFindingKind.Hang, f.Kind));
        Assert.Contains("2000 ms", report.Findings[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AParseSlowOnlyOnceIsNotAHang()
    {
        // A pause of the whole process on a busy machine: the input is timed again and is fast.
        var time = new FakeTimeProvider();
        int calls = 0;
        var target = new FuzzTarget("toy", "one slow call", Seeds, _ =>
        {
            if (++calls == 50)
            {
                time.Advance(TimeSpan.FromSeconds(2));
            }
        });

        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = 100, Time = time }).Run();

        Assert.True(report.Clean);
    }

    [Fact]
    public void AStoppedRunReportsTheInputsThatRan()
    {
        using var stop = new CancellationTokenSource();
        int calls = 0;
        var target = new FuzzTarget("toy", "stops the run", Seeds, _ =>
        {
            if (++calls == 31)
            {
                stop.Cancel();
            }
        });

        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = 1000, Stop = stop.Token }).Run();

        Assert.Equal(30, report.Inputs); // one warm-up call, then 30 inputs
    }

    [Fact]
    public void AllocatingPastTheLimitIsAFindingAndTheMaximumIsReported()
    {
        var target = new FuzzTarget("toy", "allocates 4 KiB per input byte", Seeds, input => GC.KeepAlive(new byte[input.Length * 4096]))
        {
            MaxAllocatedBytes = 512 * 1024,
        };

        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = 300 }).Run();

        Assert.True(report.OverAllocations > 0);
        Assert.True(report.MaxAllocatedBytes >= report.MaxAllocatingInputBytes * 4096L);
        Assert.Equal(FuzzFindingKind.OverAllocation, report.Findings[0].Kind);
    }

    [Fact]
    public void WarmUpAllocationIsNotCounted()
    {
        bool first = true;
        var target = new FuzzTarget("toy", "allocates once, at first use", Seeds, _ =>
        {
            if (first)
            {
                first = false;
                GC.KeepAlive(new byte[4 << 20]);
            }
        });

        var report = new FuzzRunner(target, new FuzzRunOptions { Inputs = 100 }).Run();

        Assert.True(report.Clean);
        Assert.True(report.MaxAllocatedBytes < 1024, $"{report.MaxAllocatedBytes} bytes");
    }
}
