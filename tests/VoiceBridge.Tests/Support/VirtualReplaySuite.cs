using System.Text.Json;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Speech;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Support;

/// <summary>
/// <c>replay FILES --faults MATRIX --clock virtual</c> as the CLI runs it, for suite tests: one
/// espeak-ng voice for every call (it caches per text; the simulator's replies are a script), tools
/// dry-run, the apology rendered once; the runner's exit code, console and JSON report.
/// </summary>
internal static class VirtualReplaySuite
{
    private static readonly EspeakSynthesizer Voice = new();

    /// <summary>The last-resort apology in that voice, rendered once.</summary>
    public static readonly Lazy<byte[]> Apology = new(() => LastResort.Render(Voice));

    public static ReplayRunOptions Options(string outDir, IReadOnlyList<FaultRun> runs, ChainSpec chain, int parallelism) => new()
    {
        OutDir = outDir,
        Clock = ReplayClock.Virtual,
        Parallelism = parallelism,
        Chain = chain,
        Matrix = runs,
        Simulator = () => new SimulatorOptions { Synthesizer = Voice },
        CallOptions = () => new CallSessionOptions { DryRunTools = true, Apology = Apology.Value },
    };

    public static async Task<(int Exit, string Console, JsonDocument Report)> RunAsync(ReplayRunOptions options, string file, ITestOutputHelper output)
    {
        var console = new StringWriter();
        var exit = await new ReplayRunner(options, new TestLoggerFactory(output), console).RunAsync([file], CancellationToken.None);
        output.WriteLine(console.ToString());
        return (exit, console.ToString(), JsonDocument.Parse(File.ReadAllText(options.EffectiveReportPath)));
    }
}
