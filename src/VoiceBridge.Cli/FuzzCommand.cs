using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using VoiceBridge.Fuzzing;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>voicebridge fuzz</c>: runs the in-process mutation fuzzer over every parser of untrusted input
/// (<see cref="FuzzTargets"/>), one target after another, and prints per target the inputs run, crashes,
/// hangs, inputs over the allocation limit, the most one input allocated and the rate. Failing inputs are
/// saved under <c>--artifacts</c> and replayed with <c>--reproduce</c>. Exit 0 when every target ran
/// clean, 1 on any finding, 2 for bad arguments.
/// </summary>
internal static class FuzzCommand
{
    /// <summary>A parse that has not returned after this long is reported as stuck and the run ends.</summary>
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(60);

    /// <summary>How often a long run says how far it got (a run stopped by hand still leaves its count in the log).</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMinutes(1);

    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "A target name, or all", DefaultValueFactory = _ => "all" };
        var inputs = new Option<long>("--inputs") { Description = "Mutated inputs per target", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<ulong>("--seed") { Description = "Names the inputs: the same seed replays the same inputs", DefaultValueFactory = _ => 1 };
        var artifacts = new Option<string>("--artifacts") { Description = "Where failing inputs are saved", DefaultValueFactory = _ => Path.Combine("artifacts", "fuzz") };
        var reproduce = new Option<string?>("--reproduce") { Description = "Run one saved input (a .bin from --artifacts) through --target" };
        var list = new Option<bool>("--list") { Description = "List the targets and exit" };
        var maxMinutes = new Option<double?>("--max-minutes") { Description = "Time budget per target: stop it early and report the inputs that ran" };
        var command = new Command("fuzz", "Mutation-fuzz every parser of untrusted input (SIP, SDP, RTP/RTCP, STUN, DTLS, SRTP, JSON events, WAV, specs, config)")
        {
            target, inputs, seed, artifacts, reproduce, list, maxMinutes,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var all = FuzzTargets.All();
            if (parse.GetValue(list))
            {
                foreach (var t in all)
                {
                    output.WriteLine($"{t.Name,-16} {t.Description}");
                }

                return 0;
            }

            string name = parse.GetValue(target) ?? "all";
            var chosen = name == "all" ? all : all.Where(t => t.Name == name).ToList();
            if (chosen.Count == 0)
            {
                error.WriteLine($"fuzz: --target '{name}' is not one of: all, {string.Join(", ", all.Select(t => t.Name))}");
                return 2;
            }

            if (parse.GetValue(reproduce) is { } file)
            {
                return Reproduce(chosen, file, output, error);
            }

            if (parse.GetValue(inputs) < 1)
            {
                error.WriteLine("fuzz: --inputs must be 1 or more");
                return 2;
            }

            if (parse.GetValue(maxMinutes) is <= 0)
            {
                error.WriteLine("fuzz: --max-minutes must be more than 0");
                return 2;
            }

            output.WriteLine($"{"target",-16} {"inputs",10} {"crashes",8} {"hangs",6} {"over",5} {"max alloc/input",16} {"inputs/s",10} {"time",8}");
            bool clean = true;
            foreach (var t in chosen)
            {
                using var budget = new CancellationTokenSource();
                if (parse.GetValue(maxMinutes) is { } minutes)
                {
                    budget.CancelAfter(TimeSpan.FromMinutes(minutes));
                }

                var options = new FuzzRunOptions { Inputs = parse.GetValue(inputs), Seed = parse.GetValue(seed), ArtifactDirectory = parse.GetValue(artifacts), Stop = budget.Token };
                clean &= RunTarget(t, options, output);
            }

            return clean ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// Runs one target on a thread of its own and watches it: a parse stuck past <see cref="StuckAfter"/> cannot
    /// be stopped, so its input is saved as a hang and the run reports failure (the stuck thread is a background one).
    /// </summary>
    private static bool RunTarget(FuzzTarget target, FuzzRunOptions options, TextWriter output)
    {
        var runner = new FuzzRunner(target, options);
        FuzzReport? report = null;
        var thread = new Thread(() => report = runner.Run(), maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = "fuzz " + target.Name };
        thread.Start();
        long lastCompleted = -1;
        var sinceProgress = Stopwatch.StartNew();
        var sinceReport = Stopwatch.StartNew();
        while (!thread.Join(TimeSpan.FromSeconds(1)))
        {
            long completed = runner.Completed;
            if (sinceReport.Elapsed > ProgressEvery)
            {
                output.WriteLine($"{target.Name,-16} ... {completed} inputs so far");
                sinceReport.Restart();
            }

            if (completed != lastCompleted)
            {
                lastCompleted = completed;
                sinceProgress.Restart();
            }
            else if (sinceProgress.Elapsed > StuckAfter)
            {
                byte[] input = runner.CurrentInput();
                string saved = Path.Combine(options.ArtifactDirectory ?? ".", $"{target.Name}-stuck-seed{options.Seed}-{completed}.bin");
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(saved))!);
                File.WriteAllBytes(saved, input);
                output.WriteLine($"{target.Name,-16} STUCK: input {completed} has not returned in {StuckAfter.TotalSeconds:F0} s; saved to {saved}");
                return false;
            }
        }

        var r = report!;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Target,-16} {r.Inputs,10} {r.Crashes,8} {r.Hangs,6} {r.OverAllocations,5} {FormatBytes(r.MaxAllocatedBytes),16} {r.InputsPerSecond,10:F0} {r.Elapsed.TotalSeconds,7:F1}s"));
        foreach (var finding in r.Findings)
        {
            string firstLine = finding.Detail.Split('\n')[0].Trim();
            output.WriteLine($"    {finding.Kind} at input {finding.InputIndex}: {firstLine}{(finding.ArtifactPath is { } p ? $" -> {p}" : "")}");
        }

        return r.Clean;
    }

    private static int Reproduce(IReadOnlyList<FuzzTarget> chosen, string file, TextWriter output, TextWriter error)
    {
        if (chosen.Count != 1)
        {
            error.WriteLine("fuzz: --reproduce needs one --target (the artifact's name starts with it)");
            return 2;
        }

        if (!File.Exists(file))
        {
            error.WriteLine($"fuzz: --reproduce '{file}': no such file");
            return 2;
        }

        var finding = FuzzRunner.Reproduce(chosen[0], File.ReadAllBytes(file), TimeProvider.System);
        if (finding is null)
        {
            output.WriteLine($"{chosen[0].Name}: {file} parses without a finding");
            return 0;
        }

        output.WriteLine($"{chosen[0].Name}: {finding.Kind}");
        output.WriteLine(finding.Detail);
        return 1;
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):F1} MiB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
