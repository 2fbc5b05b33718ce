using System.Text.Json;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>Ctrl-C during a replay keeps the calls that finished: their report, the others listed, exit 130.</summary>
public sealed class ReplayInterruptTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vb-replay-interrupt-").FullName;

    [Fact]
    public async Task Cancelling_after_the_first_call_writes_its_report_lists_the_others_and_exits_130()
    {
        var files = new[] { "first", "second", "third" }.Select(name => Path.Combine(_dir, name + ".wav")).ToList();
        files.ForEach(f => File.Copy(RepoPaths.Fixture("booking-ulaw8k.wav"), f));
        using var stop = new CancellationTokenSource();
        var options = VirtualReplaySuite.Options(Path.Combine(_dir, "out"), [FaultRun.None], ChainSpec.Default, parallelism: 1);
        options.Progress = new CancelAfterFirstCall(stop);
        var console = new StringWriter();

        var exit = await new ReplayRunner(options, new TestLoggerFactory(output), console).RunAsync(files, stop.Token);
        output.WriteLine(console.ToString());

        Assert.Equal(ReplayRunner.InterruptedExitCode, exit);
        using var report = JsonDocument.Parse(File.ReadAllText(options.EffectiveReportPath));
        var call = Assert.Single(report.RootElement.GetProperty("calls").EnumerateArray());
        Assert.Equal(files[0], call.GetProperty("file").GetString());
        Assert.Equal("passed", call.GetProperty("status").GetString());
        var summary = report.RootElement.GetProperty("summary");
        Assert.Equal(1, summary.GetProperty("calls").GetInt32());
        Assert.Equal(2, summary.GetProperty("interrupted").GetInt32());
        Assert.Equal(130, summary.GetProperty("exitCode").GetInt32());
        Assert.Equal(files[1..], report.RootElement.GetProperty("interrupted").EnumerateArray().Select(r => r.GetProperty("file").GetString()));
        Assert.Contains("INTERRUPTED: 2 of 3 calls did not finish", console.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.ChangeExtension(options.EffectiveReportPath, ".html")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Presses Ctrl-C as the first call ends.</summary>
    private sealed class CancelAfterFirstCall(CancellationTokenSource stop) : IReplayProgress
    {
        public void Starting(IReadOnlyList<ReplayJob> jobs, ReplayClock clock)
        {
        }

        public void CallStarted(ReplayJob job)
        {
        }

        public void CallFinished(ReplaySuiteCall call) => stop.Cancel();

        public void Finished(ReplayReport report, IReadOnlyList<ReplaySuiteCall> calls)
        {
        }
    }
}
