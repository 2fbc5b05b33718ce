using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Load;

/// <summary>
/// <c>voicebridge load</c> end to end, each part a process of its own as in a real run: <c>sim
/// --load</c>, <c>serve</c> pointed at it, and 3 loopback calls for 5 s; the report has every
/// field the issue asks for and frames flowed both ways.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class LoadSmokeTests(ITestOutputHelper output)
{
    /// <summary>The report fields issue 9 names.</summary>
    public static readonly string[] ReportFields =
    [
        "calls", "durationS", "cpuPercentPerCall", "callsPerCore", "memoryMbPerCall", "hopInP50Ms", "hopInP99Ms",
        "hopOutP50Ms", "hopOutP99Ms", "framesSent", "framesLate", "framesLost", "maxCallsWithoutLateFrames",
    ];

    [Fact]
    public async Task Three_calls_against_serve_and_sim_processes_report_every_figure()
    {
        await using var bridge = await Bridge.StartAsync(output, "off");
        var report = Path.Combine(bridge.Data.FullName, "load.json");
        await using var load = await Child.StartAsync(output, null, [],
            "load", "--server", $"ws://127.0.0.1:{bridge.ServePort}/twilio/media", "--sim", bridge.SimUrl, "--pid", bridge.ServePid,
            "--calls", "3", "--duration", "5", "--idle", "1", "--recording", RepoPaths.Fixture("booking-ulaw8k.wav"), "--report", report);
        var exit = await load.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var root = doc.RootElement;
        foreach (var field in ReportFields)
        {
            Assert.True(root.TryGetProperty(field, out _), $"the report has {field}");
        }

        Assert.Equal(3, root.GetProperty("calls").GetInt32());
        Assert.True(root.GetProperty("framesSent").GetInt64() > 600, "three calls sent five seconds of frames");
        Assert.Equal(JsonValueKind.Number, root.GetProperty("hopInP50Ms").ValueKind);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("cpuPercentPerCall").ValueKind);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("framesLost").ValueKind);
        var step = root.GetProperty("steps")[0];
        Assert.Equal(3, step.GetProperty("callsConnected").GetInt32());
        Assert.True(step.GetProperty("agentFramesReceived").GetInt64() > 0, "the agent's replies reached the callers");
        Assert.True(step.GetProperty("framesReceivedByProvider").GetInt64() > 0, "caller frames reached the provider");
    }

    /// <summary>A bridge that is not there: every call's failure is named and the run exits 1 with its report, not with an unhandled exception.</summary>
    [Fact]
    public async Task A_bridge_that_is_not_listening_fails_each_call_by_name_and_exits_1()
    {
        var closedPort = FreePort();
        var data = Directory.CreateTempSubdirectory("voicebridge-load-none-");
        var report = Path.Combine(data.FullName, "load.json");
        await using var load = await Child.StartAsync(output, null, [],
            "load", "--server", $"ws://127.0.0.1:{closedPort}/twilio/media", "--sim", "", "--calls", "2", "--duration", "1", "--idle", "1",
            "--recording", RepoPaths.Fixture("booking-ulaw8k.wav"), "--report", report);
        var exit = await load.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exit);
        Assert.DoesNotContain("Unhandled exception", load.Log, StringComparison.Ordinal);
        Assert.Contains($"failed to connect: connecting to ws://127.0.0.1:{closedPort}/twilio/media failed", load.Log, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal(0, doc.RootElement.GetProperty("steps")[0].GetProperty("callsConnected").GetInt32());
    }

    /// <summary>
    /// The SIP leg end to end: 3 loopback SIP calls (INVITE, PCMU RTP both ways, BYE) against <c>serve</c>
    /// with SIP on, its RTP taken by the provider and the agent's replies heard as RTP.
    /// </summary>
    [Fact]
    public async Task Three_sip_calls_against_serve_and_sim_processes_carry_audio_both_ways()
    {
        var sipPort = FreeUdpPort();
        await using var bridge = await Bridge.StartAsync(output, $"127.0.0.1:{sipPort}");
        var report = Path.Combine(bridge.Data.FullName, "load.json");
        await using var load = await Child.StartAsync(output, null, [],
            "load", "--leg", "sip", "--server", $"sip:agent@127.0.0.1:{sipPort}", "--sim", bridge.SimUrl, "--pid", bridge.ServePid,
            "--calls", "3", "--duration", "6", "--idle", "1", "--recording", RepoPaths.Fixture("booking-ulaw8k.wav"), "--report", report);
        var exit = await load.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var root = doc.RootElement;
        Assert.Equal($"sip:agent@127.0.0.1:{sipPort}", root.GetProperty("server").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("hopInP50Ms").ValueKind);
        var step = root.GetProperty("steps")[0];
        Assert.Equal(3, step.GetProperty("callsConnected").GetInt32());
        Assert.True(step.GetProperty("framesSent").GetInt64() > 600, "three calls sent six seconds of RTP");
        Assert.True(step.GetProperty("framesReceivedByProvider").GetInt64() > 600, "the bridge took the RTP to the provider");
        Assert.True(step.GetProperty("agentFramesReceived").GetInt64() > 0, "the agent's replies reached the callers as RTP");
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><c>sim --load</c> and <c>serve</c> pointed at it (SIP on <c>sipListen</c>, or off), each a process, with a data directory.</summary>
    private sealed class Bridge : IAsyncDisposable
    {
        private Child? _sim;
        private Child? _serve;

        public int ServePort { get; } = FreePort();

        public int SimPort { get; } = FreePort();

        public DirectoryInfo Data { get; } = Directory.CreateTempSubdirectory("voicebridge-load-");

        public string SimUrl => $"http://127.0.0.1:{SimPort}";

        public string ServePid => _serve!.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public static async Task<Bridge> StartAsync(ITestOutputHelper output, string sipListen)
        {
            var bridge = new Bridge();
            try
            {
                bridge._sim = await Child.StartAsync(output, "simulated OpenAI Realtime provider listening", [], "sim", "--load", "--urls", bridge.SimUrl);
                bridge._serve = await Child.StartAsync(output, "VoiceBridge serving on", new() { ["OPENAI_API_KEY"] = "simulated" },
                    "serve", "--urls", $"http://127.0.0.1:{bridge.ServePort}", "--realtime-url", $"ws://127.0.0.1:{bridge.SimPort}/v1/realtime",
                    "--sip-listen", sipListen, "--whip-off", "--data-dir", bridge.Data.FullName);
                return bridge;
            }
            catch
            {
                await bridge.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_serve is not null)
            {
                await _serve.DisposeAsync();
            }

            if (_sim is not null)
            {
                await _sim.DisposeAsync();
            }
        }
    }

    /// <summary>The built voicebridge.dll (beside the tests) as a child process, its output kept for the test log.</summary>
    private sealed class Child : IAsyncDisposable
    {
        private readonly StringBuilder _log = new();
        private readonly ITestOutputHelper _output;

        private Child(Process process, ITestOutputHelper output)
        {
            Process = process;
            _output = output;
        }

        public Process Process { get; }

        /// <summary>Every line the child printed so far.</summary>
        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public static async Task<Child> StartAsync(ITestOutputHelper output, string? readyLine, Dictionary<string, string> environment, params string[] args)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "voicebridge.dll"));
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            foreach (var name in new[] { "OPENAI_API_KEY", "ASPNETCORE_URLS" })
            {
                info.Environment.Remove(name);
            }

            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }

            var child = new Child(Process.Start(info)!, output);
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLine(string? line)
            {
                if (line is null)
                {
                    return;
                }

                lock (child._log)
                {
                    child._log.AppendLine(line);
                }

                if (readyLine is not null && line.Contains(readyLine, StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }

            child.Process.OutputDataReceived += (_, e) => OnLine(e.Data);
            child.Process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            child.Process.BeginOutputReadLine();
            child.Process.BeginErrorReadLine();
            if (readyLine is not null)
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            return child;
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            await Process.WaitForExitAsync().WaitAsync(timeout);
            return Process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync();
            }

            lock (_log)
            {
                _output.WriteLine(_log.ToString());
            }
        }
    }
}
