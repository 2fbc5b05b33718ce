using Spectre.Console;
using Spectre.Console.Rendering;
using VoiceBridge.Replay;

namespace VoiceBridge.Cli;

/// <summary>
/// A replay on an interactive terminal: a live progress bar with a line per call as it ends (green
/// pass, red otherwise), then the summary table drawn by Spectre.Console and the problems of the
/// calls that did not pass. Everything the runner itself prints is held until the display is gone
/// (<see cref="RunAsync"/>), so nothing writes under the live bar but Spectre.
/// </summary>
internal sealed class ReplayProgressDisplay : IReplayProgress
{
    private readonly Lock _gate = new();
    private ProgressTask? _task;
    private ProgressContext? _context;
    private int _running;
    private int _done;
    private IReadOnlyList<ReplaySuiteCall> _calls = [];

    /// <summary>Whether standard output is a terminal a live display can redraw (not redirected, not CI).</summary>
    public static bool Usable => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="run"/> (given what to tell and where to write) under the live display, then draws the table and prints what the run wrote.</summary>
    public static async Task<int> RunAsync(Func<IReplayProgress, TextWriter, Task<int>> run)
    {
        var display = new ReplayProgressDisplay();
        using var held = new StringWriter();
        var exit = await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                display._context = context;
                return await run(display, held);
            });
        display.DrawTable();
        Console.Out.Write(held.ToString());
        return exit;
    }

    public void Starting(IReadOnlyList<ReplayJob> jobs, ReplayClock clock)
    {
        lock (_gate)
        {
            _task = _context?.AddTask(Description(jobs.Count), maxValue: jobs.Count);
        }
    }

    public void CallStarted(ReplayJob job)
    {
        lock (_gate)
        {
            _running++;
            Describe();
        }
    }

    public void CallFinished(ReplaySuiteCall call)
    {
        var report = call.Report;
        var colour = report.Status == CallStatus.Passed ? "green" : "red";
        var faults = report.Faults.Count > 0 ? " [" + string.Join(" ", report.Faults) + "]" : "";
        var why = report.Status == CallStatus.Passed ? "" : ": " + string.Join("; ", report.Failures.Concat(report.Errors).Take(2));
        lock (_gate)
        {
            _running--;
            _done++;
            AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape(ReplaySuiteTable.StatusText(report.Status))}[/] {Markup.Escape(Path.GetFileName(report.File) + faults + Truncate(why, 200))}");
            _task?.Increment(1);
            Describe();
        }
    }

    public void Finished(ReplayReport report, IReadOnlyList<ReplaySuiteCall> calls) => _calls = calls;

    private void Describe()
    {
        if (_task is not null)
        {
            _task.Description = Description((int)_task.MaxValue);
        }
    }

    private string Description(int total) => $"replay: {_done}/{total} calls, {_running} running";

    /// <summary>The summary table (<see cref="ReplaySuiteTable"/>'s cells), then every call that did not pass with its problems.</summary>
    private void DrawTable()
    {
        if (_calls.Count == 0)
        {
            return;
        }

        // A column per figure when the terminal is wide enough; else each switch's figures in one
        // labelled cell that wraps (sixteen squeezed columns are unreadable).
        var wide = ReplaySuiteTable.Width(_calls) <= AnsiConsole.Profile.Width;
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in wide ? ReplaySuiteTable.Columns : ReplaySuiteTable.CompactColumns)
        {
            table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
        }

        foreach (var row in wide ? ReplaySuiteTable.Rows(_calls) : ReplaySuiteTable.CompactRows(_calls))
        {
            table.AddRow(row.Select(Cell).ToArray());
        }

        AnsiConsole.Write(table);
        foreach (var problem in ReplaySuiteTable.Problems(_calls))
        {
            AnsiConsole.MarkupLine("[red]" + Markup.Escape(problem) + "[/]");
        }
    }

    /// <summary>A cell as plain text (recording names and fault specs are not markup), its status or match coloured.</summary>
    private static IRenderable Cell(string text) => text switch
    {
        "PASS" or "yes" => new Text(text, new Style(Color.Green)),
        "FAIL" or "NO" or "BAD INPUT" or "INTERNAL ERROR" => new Text(text, new Style(Color.Red)),
        _ => new Text(text),
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "...";
}
