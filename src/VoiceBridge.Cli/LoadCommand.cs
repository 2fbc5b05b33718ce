using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using VoiceBridge.Load;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>voicebridge load</c>: N concurrent loopback Twilio calls of a paced recording against a
/// running bridge (ours or another), a process of its own so that only the bridge's CPU is counted.
/// Exit 0 when every call connected and frames flowed, 1 otherwise, 2 for bad input.
/// </summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var server = new Option<string?>("--server") { Description = $"The bridge: its Media Streams WebSocket for --leg twilio [{DefaultTwilioServer}], its SIP URI for --leg sip [{DefaultSipServer}]" };
        var sim = new Option<string?>("--sim") { Description = "The simulator started with 'sim --load' (hop in, frames lost, storm)", DefaultValueFactory = _ => "http://127.0.0.1:8089" };
        var pid = new Option<int?>("--pid") { Description = "The bridge's process id, for its CPU and memory" };
        var calls = new Option<int>("--calls") { Description = $"Concurrent calls (at most {LoadOptions.MaxCalls})", DefaultValueFactory = _ => 10 };
        var ramp = new Option<string?>("--ramp") { Description = "A load curve: steps of concurrent calls, e.g. 10,50,100 (instead of --calls)" };
        var duration = new Option<int>("--duration") { Description = "Seconds each step lasts", DefaultValueFactory = _ => 20 };
        var idle = new Option<int>("--idle") { Description = "Seconds the idle bridge is sampled first", DefaultValueFactory = _ => 3 };
        var leg = new Option<string>("--leg") { Description = "The caller's leg: twilio (Media Streams over a WebSocket) or sip (SIP over UDP, PCMU over RTP)", DefaultValueFactory = _ => "twilio" };
        var recording = new Option<string>("--recording") { Description = "The caller's recording (WAV)", DefaultValueFactory = _ => Path.Combine("media-fixtures", "booking-ulaw8k.wav") };
        var stormAt = new Option<int?>("--storm-at") { Description = "Second of each step at which the simulator drops every session (failover storm)" };
        var dataDir = new Option<string?>("--audit-dir") { Description = "The bridge's --data-dir: the storm's handoffs are read from its audit.db" };
        var report = new Option<string?>("--report") { Description = "Write the report (JSON) here" };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow a server or simulator that is not on a loopback address" };
        var soak = new Option<bool>("--soak") { Description = "Soak: sample the bridge's memory (--pid) through the run; exit 1 unless frames lost = 0 and memory growth after the warm-up is under --max-growth" };
        var metrics = new Option<string?>("--metrics") { Description = "Soak: the bridge's /metrics, for its managed heap (dotnet_total_memory_bytes), e.g. http://127.0.0.1:8080/metrics" };
        var maxGrowth = new Option<double>("--max-growth") { Description = "Soak: the most working-set growth after the warm-up, MB per minute", DefaultValueFactory = _ => 1.0 };
        var command = new Command("load", "Load generator: concurrent loopback calls against a running bridge and simulator, measuring hop latency, CPU and memory per call")
        {
            server, sim, pid, calls, ramp, duration, idle, leg, recording, stormAt, dataDir, report, allowRemote, soak, metrics, maxGrowth,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (!TryParseServer(parse.GetValue(leg), parse.GetValue(server), out var legKind, out var serverUri, out var sipServer, out var serverError))
            {
                error.WriteLine($"load: {serverError}");
                return 2;
            }

            Uri? simUri = null;
            if (parse.GetValue(sim) is { Length: > 0 } simText && !Uri.TryCreate(simText, UriKind.Absolute, out simUri))
            {
                error.WriteLine($"load: --sim '{simText}' is not an absolute URL");
                return 2;
            }

            if (!TryParseSteps(parse.GetValue(ramp), parse.GetValue(calls), out var steps, out var stepsError))
            {
                error.WriteLine($"load: {stepsError}");
                return 2;
            }

            LoadAudio audio;
            try
            {
                var path = parse.GetValue(recording)!;
                audio = LoadAudio.FromRecording(WavLoader.Load(path).Samples, path);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
            {
                error.WriteLine($"load: --recording: {e.Message}");
                return 2;
            }

            var options = new LoadOptions
            {
                Leg = legKind, Server = serverUri, SipServer = sipServer, Simulator = simUri, BridgePid = parse.GetValue(pid), Steps = steps, DurationS = parse.GetValue(duration),
                IdleS = Math.Max(1, parse.GetValue(idle)), StormAtS = parse.GetValue(stormAt), AuditDirectory = parse.GetValue(dataDir), Audio = audio,
            };
            if (options.Validate(parse.GetValue(allowRemote)) is { Count: > 0 } problems)
            {
                foreach (var problem in problems)
                {
                    error.WriteLine($"load: {problem}");
                }

                return 2;
            }

            var logger = Logging.Create(LogEventLevel.Information);
            using var loggers = Logging.Factory(logger);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var connector = new SystemWebSocketConnector(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
            var runner = new LoadRunner(options, connector, UdpDatagramNetwork.Instance, http, TimeProvider.System, loggers.CreateLogger<LoadRunner>());
            if (parse.GetValue(soak))
            {
                Uri? metricsUri = null;
                if (parse.GetValue(metrics) is { Length: > 0 } metricsText && (!Uri.TryCreate(metricsText, UriKind.Absolute, out metricsUri) || !(metricsUri.IsLoopback || parse.GetValue(allowRemote))))
                {
                    error.WriteLine($"load: --metrics '{metricsText}' is not a loopback http:// URL (--allow-remote to override)");
                    return 2;
                }

                SoakReport soaked;
                try
                {
                    soaked = await SoakRun.RunAsync(runner.RunAsync, options, options.BridgePid, metricsUri, http, parse.GetValue(maxGrowth), TimeProvider.System, ct);
                }
                catch (IOException e)
                {
                    error.WriteLine($"load: {e.Message}");
                    return 1;
                }

                var soakJson = soaked.ToJson();
                if (parse.GetValue(report) is { } soakPath)
                {
                    await File.WriteAllTextAsync(soakPath, soakJson, ct);
                }

                parse.InvocationConfiguration.Output.WriteLine(soakJson);
                return soaked.Verdict.Passed ? 0 : 1;
            }

            LoadReport result;
            try
            {
                result = await runner.RunAsync(ct);
            }
            catch (IOException e)
            {
                error.WriteLine($"load: {e.Message}");
                return 1;
            }

            var json = result.ToJson();
            if (parse.GetValue(report) is { } reportPath)
            {
                await File.WriteAllTextAsync(reportPath, json, ct);
            }

            parse.InvocationConfiguration.Output.WriteLine(json);
            return result.Steps.All(s => s.CallsConnected == s.Calls && s.FramesSent > 0 && s.AgentFramesReceived > 0 && s.Handoffs is null or { Held: true }) ? 0 : 1;
        });
        return command;
    }

    public const string DefaultTwilioServer = "ws://127.0.0.1:8080/twilio/media";

    public const string DefaultSipServer = "sip:agent@127.0.0.1:5060";

    /// <summary><c>--leg</c> and <c>--server</c> (the leg's default when absent): a ws(s):// URL for twilio, a sip: URI for sip.</summary>
    public static bool TryParseServer(string? leg, string? server, out LoadLeg kind, out Uri? webSocket, out SipLoadTarget? sip, out string? error)
    {
        webSocket = null;
        sip = null;
        switch (leg)
        {
            case "twilio":
                kind = LoadLeg.Twilio;
                server ??= DefaultTwilioServer;
                error = Uri.TryCreate(server, UriKind.Absolute, out webSocket) ? null : $"--server '{server}' is not an absolute URL";
                return error is null;
            case "sip":
                kind = LoadLeg.Sip;
                if (SipLoadTarget.TryParse(server ?? DefaultSipServer, out sip, out var sipError))
                {
                    error = null;
                    return true;
                }

                error = $"--server: {sipError}";
                return false;
            default:
                kind = LoadLeg.Twilio;
                error = $"--leg '{leg}': twilio or sip";
                return false;
        }
    }

    /// <summary><c>--ramp 10,50,100</c> or one step of <c>--calls</c>; each 1 to <see cref="LoadOptions.MaxCalls"/>.</summary>
    public static bool TryParseSteps(string? ramp, int calls, out IReadOnlyList<int> steps, out string? error)
    {
        steps = [];
        if (string.IsNullOrWhiteSpace(ramp))
        {
            steps = [calls];
            error = calls is < 1 or > LoadOptions.MaxCalls ? $"--calls {calls}: 1 to {LoadOptions.MaxCalls}" : null;
            return error is null;
        }

        var parts = ramp.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > 32)
        {
            error = $"--ramp: {parts.Length} steps, at most 32";
            return false;
        }

        var list = new List<int>(parts.Length);
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > LoadOptions.MaxCalls)
            {
                error = $"--ramp: '{part}' is not a count of calls from 1 to {LoadOptions.MaxCalls}";
                return false;
            }

            list.Add(n);
        }

        steps = list;
        error = null;
        return true;
    }
}
