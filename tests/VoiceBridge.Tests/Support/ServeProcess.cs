using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Support;

/// <summary>
/// The built voicebridge.dll run as <c>serve</c> on a free loopback HTTP port, with the environment
/// of the test runner cleared of every variable that would point it elsewhere (provider keys,
/// Twilio token, public URL, audit store, Redis); ready once it prints "VoiceBridge serving on".
/// Killed (the whole process tree) when disposed.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private ServeProcess(Process process, int port, string scheme, StringBuilder log)
    {
        _process = process;
        _log = log;
        Port = port;
        Scheme = scheme;
    }

    public int Port { get; }

    /// <summary>http, or https when started so.</summary>
    public string Scheme { get; }

    public Uri BaseUri => new($"{Scheme}://127.0.0.1:{Port}");

    /// <summary>What the process printed so far (stdout and stderr).</summary>
    public string Log => VoicebridgeProcess.Text(_log);

    /// <summary>
    /// Starts <c>serve --urls SCHEME://127.0.0.1:PORT</c> (<paramref name="scheme"/>: http, or https
    /// with Kestrel's certificate in <paramref name="environment"/>) followed by <paramref name="arguments"/>,
    /// with <paramref name="environment"/> added; throws with the log if it is not serving within
    /// <paramref name="startTimeout"/> [40 s].
    /// </summary>
    public static async Task<ServeProcess> StartAsync(ITestOutputHelper output, string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? startTimeout = null, string scheme = "http")
    {
        var port = VoicebridgeProcess.FreePort();
        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Launch(port, scheme, arguments, environment, log, line =>
        {
            if (line.Contains("VoiceBridge serving on", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        });
        var serve = new ServeProcess(process, port, scheme, log);
        try
        {
            await ready.Task.WaitAsync(startTimeout ?? TimeSpan.FromSeconds(40));
        }
        catch (TimeoutException)
        {
            output.WriteLine($"{name} did not start:\n{serve.Log}");
            await serve.DisposeAsync();
            throw;
        }

        return serve;
    }

    /// <summary>
    /// Runs <c>serve</c> (on a free port, as above) expecting it to stop by itself, as it does on a
    /// configuration error: its exit code and everything it printed; throws if it still runs after
    /// <paramref name="within"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Log)> RunToExitAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan within)
    {
        var log = new StringBuilder();
        using var process = Launch(VoicebridgeProcess.FreePort(), "http", arguments, environment, log, _ => { });
        try
        {
            await process.WaitForExitAsync().WaitAsync(within);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"serve still ran after {within.TotalSeconds:0} s:\n{VoicebridgeProcess.Text(log)}");
        }

        // The exit can come before the last lines are read: WaitForExit() with no timeout drains them.
        process.WaitForExit();
        return (process.ExitCode, VoicebridgeProcess.Text(log));
    }

    private static Process Launch(int port, string scheme, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, StringBuilder log, Action<string> onLine) =>
        VoicebridgeProcess.Launch(new[] { "serve", "--urls", $"{scheme}://127.0.0.1:{port}" }.Concat(arguments), environment, log, onLine);

    /// <summary>SIGKILL: the node dies with no chance to tidy up.</summary>
    public void Kill() => _process.Kill();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
