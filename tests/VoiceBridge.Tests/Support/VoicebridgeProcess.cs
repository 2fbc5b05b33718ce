using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VoiceBridge.Tests.Support;

/// <summary>
/// The built voicebridge.dll (copied beside the tests) run as a child process: any verb, with the
/// test runner's environment cleared of every variable that would point it elsewhere (provider keys,
/// Twilio token, public URL, audit store, Redis, OTLP, drill token), and every line it prints
/// (stdout and stderr) appended to a log and handed to a callback.
/// </summary>
internal static class VoicebridgeProcess
{
    private static readonly string[] Cleared =
    [
        "OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "ASPNETCORE_URLS", "VOICEBRIDGE_AUDIT_POSTGRES", "VOICEBRIDGE_REDIS",
        "VOICEBRIDGE_ADMIN_TOKEN", "VOICEBRIDGE_CHECKPOINT_KEY", "OTEL_EXPORTER_OTLP_ENDPOINT", Cli.DrillCommand.TokenVariable,
    ];

    /// <summary>Starts <c>dotnet voicebridge.dll ARGUMENTS</c> with <paramref name="environment"/> added.</summary>
    public static Process Launch(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, StringBuilder log, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "voicebridge.dll") }.Concat(arguments))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var variable in Cleared)
        {
            info.Environment.Remove(variable);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            onLine?.Invoke(line);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet voicebridge.dll");
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>What the log holds so far.</summary>
    public static string Text(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }
}
