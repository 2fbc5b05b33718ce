using VoiceBridge.Replay;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>A report or out-dir that cannot be written is refused before any call runs, not after every call.</summary>
public sealed class ReplayOutputsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vb-replay-outputs-").FullName;

    [Fact]
    public async Task A_report_under_a_regular_file_exits_2_naming_it_before_any_call()
    {
        var file = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(file, "a file");
        var report = Path.Combine(file, "report.json");

        var (exit, printed, started) = await RunAsync(new ReplayRunOptions { OutDir = Path.Combine(_dir, "out"), ReportPath = report, Clock = ReplayClock.Virtual });

        Assert.Equal(2, exit);
        Assert.Equal(0, started);
        var line = Assert.Single(printed.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"replay: cannot write the report to {report}: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_out_dir_under_a_regular_file_exits_2_naming_it_before_any_call()
    {
        var file = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(file, "a file");
        var outDir = Path.Combine(file, "out");

        var (exit, printed, started) = await RunAsync(new ReplayRunOptions { OutDir = outDir, ReportPath = Path.Combine(_dir, "report.json"), Clock = ReplayClock.Virtual });

        Assert.Equal(2, exit);
        Assert.Equal(0, started);
        var line = Assert.Single(printed.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"replay: cannot write recordings to --out-dir {outDir}: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Folders_that_do_not_exist_yet_are_created()
    {
        var options = new ReplayRunOptions { OutDir = Path.Combine(_dir, "a", "out"), ReportPath = Path.Combine(_dir, "b", "c", "report.json") };

        Assert.Null(ReplayOutputs.Problem(options));
        Assert.True(Directory.Exists(options.OutDir));
        Assert.True(Directory.Exists(Path.Combine(_dir, "b", "c")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(options.OutDir));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Exit, string Printed, int Started)> RunAsync(ReplayRunOptions options)
    {
        var progress = new CountingProgress();
        options.Progress = progress;
        var console = new StringWriter();
        var exit = await new ReplayRunner(options, new TestLoggerFactory(output), console).RunAsync([RepoPaths.Fixture("booking-ulaw8k.wav")], CancellationToken.None);
        output.WriteLine(console.ToString());
        return (exit, console.ToString(), progress.Started);
    }

    private sealed class CountingProgress : IReplayProgress
    {
        public int Started { get; private set; }

        public void Starting(IReadOnlyList<ReplayJob> jobs, ReplayClock clock)
        {
        }

        public void CallStarted(ReplayJob job) => Started++;

        public void CallFinished(ReplaySuiteCall call)
        {
        }

        public void Finished(ReplayReport report, IReadOnlyList<ReplaySuiteCall> calls)
        {
        }
    }
}
