using System.Text.Json;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Replay;

/// <summary>
/// <c>replay DIR --faults MATRIX --clock virtual</c>: a suite of replays through <see cref="ReplayRunner"/>
/// on fake clocks (seconds for the lot), its report, its summary table and its exit code.
/// </summary>
public sealed class ReplaySuiteTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vb-suite-").FullName;

    [Fact]
    public async Task A_suite_replays_each_recording_once_per_run_with_its_faults_in_the_report_and_judges_each_switch()
    {
        var runs = FaultMatrixFile.Parse("primary:close@turn2\nnone\nprimary:error@user2\n", "suite.txt").Runs;
        var (exit, console, report) = await RunAsync(Options(runs, "openai-realtime,azure-realtime"), RepoPaths.Fixture("booking-ulaw8k.wav"));

        Assert.Equal(0, exit);
        var calls = report.RootElement.GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal(3, calls.Count);
        Assert.Equal(
            [["primary:close@turn2"], [], ["primary:error@user2"]],
            calls.Select(c => c.GetProperty("faults").EnumerateArray().Select(f => f.GetString()!).ToList()));
        Assert.All(calls, c => Assert.Equal("passed", c.GetProperty("status").GetString()));
        Assert.Equal(["socket-lost"], SwitchReasons(calls[0]));
        Assert.Empty(SwitchReasons(calls[1]));
        Assert.Equal(["provider-error"], SwitchReasons(calls[2]));

        // Each call has its own recording, named by its run.
        var recordings = calls.Select(c => Path.GetFileName(c.GetProperty("recording").GetString())).ToList();
        Assert.Equal(["booking-ulaw8k.1-primary-close-turn2.call.wav", "booking-ulaw8k.2-none.call.wav", "booking-ulaw8k.3-primary-error-user2.call.wav"], recordings);

        var summary = report.RootElement.GetProperty("summary");
        Assert.Equal("virtual", summary.GetProperty("clock").GetString());
        Assert.Equal(2, summary.GetProperty("switches").GetInt32());
        Assert.Equal(2, summary.GetProperty("handoffMs").GetProperty("count").GetInt32());
        Assert.Equal(2, summary.GetProperty("detectionMs").GetProperty("count").GetInt32());
        var handoffs = calls.SelectMany(c => c.GetProperty("switches").EnumerateArray()).Select(s => s.GetProperty("handoffMs").GetInt64()).ToList();
        Assert.Equal(handoffs.Max(), summary.GetProperty("handoffMs").GetProperty("max").GetInt64());

        // The plain table: a row per call with its faults, the switch and whether it matched.
        var table = console.Split('\n').SkipWhile(l => !l.StartsWith("recording", StringComparison.Ordinal)).ToList();
        Assert.Contains(table, l => l.Contains("primary:close@turn2", StringComparison.Ordinal) && l.Contains("openai-realtime -> azure-realtime", StringComparison.Ordinal) && l.Contains("socket-lost", StringComparison.Ordinal) && l.TrimEnd().EndsWith("yes", StringComparison.Ordinal));
        Assert.Contains(table, l => l.Contains(" none ", StringComparison.Ordinal) && l.Contains("no switch", StringComparison.Ordinal) && l.TrimEnd().EndsWith("yes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fault_that_should_switch_but_did_not_fails_the_call_with_exit_1_saying_so()
    {
        // The matrix says a socket closed in a turn switches; the recording has four turns, so a
        // close in the ninth never strikes and the call never switches: a real mismatch.
        var runs = FaultMatrixFile.Parse("primary:close@turn9\n", "suite.txt").Runs;
        var (exit, console, report) = await RunAsync(Options(runs, "openai-realtime,azure-realtime"), RepoPaths.Fixture("booking-ulaw8k.wav"));

        Assert.Equal(1, exit);
        var call = report.RootElement.GetProperty("calls")[0];
        Assert.Equal("failed", call.GetProperty("status").GetString());
        Assert.StartsWith("CA", call.GetProperty("callId").GetString(), StringComparison.Ordinal); // the fake carrier's CallSid: the audit log's call id
        Assert.Contains(call.GetProperty("failures").EnumerateArray(), f => f.GetString() == "the fault should have made the call switch (socket-lost), and it did not switch");
        Assert.Contains("NO", console.Split('\n').Single(l => l.Contains("primary:close@turn9  ", StringComparison.Ordinal)).Split("  ", StringSplitOptions.RemoveEmptyEntries).Last().Trim());
    }

    [Fact]
    public async Task A_switch_with_no_fault_to_cause_it_fails_the_call_and_the_sip_leg_runs_on_the_virtual_clock_too()
    {
        // Every turn counts as slow (over 100 ms, one in a row): the call switches softly with no
        // fault injected, and the matrix line "none" expects no switch.
        var runs = FaultMatrixFile.Parse("none\n", "suite.txt").Runs;
        var options = Options(runs, "openai-realtime,azure-realtime");
        options.Leg = ReplayLeg.Sip;
        options.CallOptions = () => new CallSessionOptions
        {
            DryRunTools = true,
            Apology = VirtualReplaySuite.Apology.Value,
            Failover = new FailoverOptions { SlowTurnMs = 100, SlowTurnsInRow = 1 },
        };
        var (exit, _, report) = await RunAsync(options, RepoPaths.Fixture("hours-pcm16k.wav"));

        Assert.Equal(1, exit);
        var call = report.RootElement.GetProperty("calls")[0];
        Assert.Equal("sip", call.GetProperty("leg").GetString());
        Assert.StartsWith("CA", call.GetProperty("callId").GetString(), StringComparison.Ordinal); // the fake phone uses its CallSid as the SIP Call-ID
        Assert.Equal(1, call.GetProperty("rtp").GetProperty("ssrcs").GetInt32());
        Assert.Contains(call.GetProperty("failures").EnumerateArray(), f => f.GetString()!.StartsWith("switch 1 (openai-realtime -> azure-realtime) for slow-turns, but no switch was expected", StringComparison.Ordinal));
    }

    [Fact]
    public void An_expectation_takes_the_union_of_its_faults_reasons_and_leaves_stage_faults_and_other_engines_unjudged()
    {
        var chain = ChainSpec.Parse("openai-realtime,azure-realtime,local");
        var thresholds = new FailoverOptions();
        RunExpectation For(string line) => RunExpectation.For(FaultMatrixFile.Parse(line, "m").Runs[0], chain, 4, thresholds);

        var two = For("primary:close@turn1 primary:error@turn3");
        Assert.True(two.Required);
        Assert.Equal(["socket-lost", "provider-error"], two.Reasons);
        Assert.Empty(two.Check([Switch("socket-lost")]));
        Assert.Equal(["switch 1 (openai-realtime -> azure-realtime) for audio-stall, outside the expected reasons (primary:close@turn1: socket-lost; primary:error@turn3: provider-error)"], two.Check([Switch("audio-stall")]));

        var back = Switch("failback") with { From = "azure-realtime", To = "openai-realtime" };
        Assert.Empty(two.Check([Switch("socket-lost"), back]));
        Assert.Single(two.Check([back]));

        var soft = For("primary:empty-transcript@user3");
        Assert.False(soft.Required);
        Assert.Empty(soft.Check([]));
        Assert.Empty(soft.Check([Switch("quality-regression")]));

        var elsewhere = For("azure-realtime:close@turn2");
        Assert.Null(elsewhere.Reasons);
        Assert.False(elsewhere.Required);
        Assert.Empty(elsewhere.Check([Switch("socket-lost"), Switch("anything")]));
        Assert.Contains("not judged", For("local.tts:error@turn2").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plain_table_has_every_handoff_figure_of_each_switch_under_its_column()
    {
        var sw = new SwitchReport("openai-realtime", "local", "audio-stall", "no delta", 10_000, 11_003, 9_500, false, 11_350, 347, 211, 0, 780, 2, 0, 0, 0, 5);
        var second = sw with { From = "local", To = "azure-realtime", Reason = "socket-lost", FaultAtMs = null, HandoffMs = 58 };
        var report = new ReplayCallReport { File = "/x/booking.wav", Status = CallStatus.Passed, Faults = ["primary:stall-audio@turn2"], Switches = [sw, second] };
        var expected = new RunExpectation(["audio-stall"], true, "audio-stall");
        var call = new ReplaySuiteCall(new ReplayJob(0, "/x/booking.wav", FaultRun.None), report, expected) { Matched = true };
        var writer = new StringWriter();

        ReplaySuiteTable.WritePlain(writer, [call]);

        output.WriteLine(writer.ToString());
        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        var header = lines[0];
        string Cell(string line, string column)
        {
            var start = header.IndexOf(column, StringComparison.Ordinal);
            var next = ReplaySuiteTable.Columns.SkipWhile(c => c != column).Skip(1).Select(c => header.IndexOf(c, start + column.Length, StringComparison.Ordinal)).FirstOrDefault(line.Length);
            return line[start..Math.Min(next, line.Length)].Trim();
        }

        Assert.Equal("booking.wav", Cell(lines[2], "recording"));
        Assert.Equal("primary:stall-audio@turn2", Cell(lines[2], "faults"));
        Assert.Equal("PASS", Cell(lines[2], "status"));
        Assert.Equal("openai-realtime -> local", Cell(lines[2], "switch"));
        Assert.Equal("audio-stall", Cell(lines[2], "reason"));
        Assert.Equal("1003", Cell(lines[2], "detect ms"));
        Assert.Equal("347", Cell(lines[2], "handoff ms"));
        Assert.Equal("211", Cell(lines[2], "dead air ms"));
        Assert.Equal("0", Cell(lines[2], "lost ms"));
        Assert.Equal("780/2", Cell(lines[2], "replayed ms/turns"));
        Assert.Equal("0", Cell(lines[2], "repeated words"));
        Assert.Equal("0", Cell(lines[2], "dup audio ms"));
        Assert.Equal("0", Cell(lines[2], "discont."));
        Assert.Equal("5", Cell(lines[2], "history"));
        Assert.Equal("audio-stall", Cell(lines[2], "expected"));
        Assert.Equal("yes", Cell(lines[2], "match"));

        // A second switch of the same call: its own row, the call's cells left empty.
        Assert.Equal("", Cell(lines[3], "recording"));
        Assert.Equal("local -> azure-realtime", Cell(lines[3], "switch"));
        Assert.Equal("-", Cell(lines[3], "detect ms"));
        Assert.Equal("58", Cell(lines[3], "handoff ms"));

        // A narrow terminal's table: the same figures, named, in one cell per switch.
        var compact = ReplaySuiteTable.CompactRows([call]).ToList();
        Assert.Equal(ReplaySuiteTable.CompactColumns.Count, compact[0].Length);
        Assert.Equal("openai-realtime -> local (audio-stall)", compact[0][3]);
        Assert.Equal(
            "detect 1003 ms, handoff 347 ms, dead air 211 ms, lost 0 ms, replayed 780/2 ms/turns, repeated 0 words, duplicate 0 ms, discontinuities 0, history 5 turns",
            compact[0][4]);
        Assert.Equal(["", "", "", "local -> azure-realtime (socket-lost)"], compact[1][..4]);
        Assert.True(ReplaySuiteTable.Width([call]) > lines[2].Length);
    }

    [Fact]
    public void The_summary_gives_nearest_rank_percentiles_of_handoff_and_detection_over_every_switch()
    {
        var switches = new[] { 100L, 400, 200, 300 }.Select((h, i) =>
            new SwitchReport("a", "b", "socket-lost", "", 1000, 1000 + (10 * (i + 1)), null, false, 2000, h, 0, 0, 0, 0, 0, 0, 0, 1)).ToList();
        var calls = new[]
        {
            new ReplayCallReport { File = "a.wav", Status = CallStatus.Passed, Switches = switches[..3] },
            new ReplayCallReport { File = "b.wav", Status = CallStatus.Failed, Switches = switches[3..] },
        };

        var summary = ReplaySummary.Of(calls, "virtual");

        Assert.Equal(new FigureDistribution(4, 200, 400, 400), summary.HandoffMs);
        Assert.Equal(new FigureDistribution(4, 20, 40, 40), summary.DetectionMs);
        Assert.Equal(4, summary.Switches);
        Assert.Equal(1, summary.ExitCode);
        Assert.Null(ReplaySummary.Of([calls[0] with { Switches = [] }]).HandoffMs);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ReplayRunOptions Options(IReadOnlyList<FaultRun> runs, string chain) =>
        VirtualReplaySuite.Options(Path.Combine(_dir, "out"), runs, ChainSpec.Parse(chain), parallelism: 2);

    private Task<(int Exit, string Console, JsonDocument Report)> RunAsync(ReplayRunOptions options, string file) => VirtualReplaySuite.RunAsync(options, file, output);

    private static List<string> SwitchReasons(JsonElement call) =>
        [.. call.GetProperty("switches").EnumerateArray().Select(s => s.GetProperty("reason").GetString()!)];

    private static SwitchReport Switch(string reason) =>
        new("openai-realtime", "azure-realtime", reason, "", 1000, 1010, null, false, 1500, 490, 0, 0, 0, 0, 0, 0, 0, 2);
}
