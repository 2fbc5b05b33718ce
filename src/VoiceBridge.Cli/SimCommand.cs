using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using VoiceBridge.Hosting;
using VoiceBridge.Load;
using VoiceBridge.Simulator;

namespace VoiceBridge.Cli;

/// <summary><c>voicebridge sim</c>: the simulated OpenAI Realtime provider as a server of its own.</summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8089" };
        var script = new Option<string?>("--script") { Description = "A simulator script (JSON) instead of the built-in dental-clinic one" };
        var load = new Option<bool>("--load")
        {
            Description = "For 'voicebridge load': time tagged caller frames, tag each reply's first delta, answer every turn with one fixed transcript, and serve /load/hops and /load/storm on loopback",
        };
        var command = new Command("sim", "Run the simulated OpenAI Realtime provider (GA protocol at /v1/realtime)") { urls, script, load };
        command.SetAction(async (parse, ct) =>
        {
            var logger = Logging.Create(LogEventLevel.Information);
            using var loggers = Logging.Factory(logger);
            SimulatorScript simulatorScript;
            try
            {
                simulatorScript = parse.GetValue(script) is { } path ? SimulatorScript.Load(path) : SimulatorScript.Default;
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"sim: {e.Message}");
                return 2;
            }

            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(parse.GetValue(urls)!);
            builder.Host.UseSerilog(logger);
            var app = builder.Build();
            var simulatorOptions = new SimulatorOptions { Script = simulatorScript };
            if (parse.GetValue(load))
            {
                simulatorOptions.LoadProbe = new Load.LoadProbe();
                simulatorOptions.Recognizer = new Load.FixedTranscript(Load.FixedTranscript.Default);
            }

            var simulator = new RealtimeSimulator(simulatorOptions, TimeProvider.System, loggers.CreateLogger<RealtimeSimulator>());
            app.MapSimulator(simulator);
            if (simulatorOptions.LoadProbe is { } probe)
            {
                app.MapLoadProbe(probe);
            }
            await app.StartAsync(ct);
            logger.Information("simulated OpenAI Realtime provider listening at {Url}", new Uri(app.WebSocketBase(), WebHosts.RealtimePath));
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
