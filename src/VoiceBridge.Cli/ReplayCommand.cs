using System.CommandLine;
using Serilog.Events;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;

namespace VoiceBridge.Cli;

/// <summary><c>voicebridge replay</c>: recorded calls through the real call path, with a report.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("recordings") { Description = "WAV files or folders of them (a NAME.txt beside NAME.wav lists its utterances)", Arity = ArgumentArity.OneOrMore };
        var report = new Option<string?>("--report") { Description = "Where to write the JSON report [OUT-DIR/report.json]" };
        var outDir = new Option<string>("--out-dir") { Description = "Where to write per-call stereo recordings", DefaultValueFactory = _ => "replay-out" };
        var pace = new Option<string>("--pace") { Description = "turn-aware (wait for each reply) or timeline (exactly as recorded)", DefaultValueFactory = _ => "turn-aware" };
        pace.AcceptOnlyFromAmong("turn-aware", "timeline");
        var channel = new Option<string>("--channel") { Description = "The caller's channel of a stereo recording: auto (mono as it is, the same signal on both channels mixed, else the left: a Twilio dual-channel recording's caller), mix, left or right", DefaultValueFactory = _ => "auto" };
        channel.AcceptOnlyFromAmong("auto", "mix", "left", "right");
        var rawMuLaw = new Option<bool>("--raw-mulaw") { Description = "Recordings are headerless 8 kHz mu-law (.ulaw, .mulaw, .raw)" };
        var parallel = new Option<int?>("--parallel") { Description = "Calls replayed at once [1 on the real clock, the processor count on the virtual one]" };
        var clock = new Option<string>("--clock") { Description = "real (loopback sockets, system time) or virtual (in memory on a fake clock, as the tests run: fast, deterministic)", DefaultValueFactory = _ => "real" };
        clock.AcceptOnlyFromAmong("real", "virtual");
        var script = new Option<string?>("--script") { Description = "A simulator script (JSON) instead of the built-in dental-clinic one" };
        var chain = new Option<string>("--chain") { Description = "Engines in order: openai-realtime, local, cascade-remote, cascade(stt=..,llm=..,tts=..)", DefaultValueFactory = _ => ChainSpec.Default.ToString() };
        var fault = new Option<string[]>("--fault") { Description = "Inject a fault: TARGET:KIND[@WHEN], e.g. primary:close@turn2 (repeatable; see docs/failover.md)", AllowMultipleArgumentsPerToken = false };
        var faults = new Option<string?>("--faults") { Description = $"A suite: each recording once per run of a fault matrix, judged against what each fault should do: {string.Join(", ", FaultMatrix.Names)}, or a file with one run per line (fault specs separated by spaces, or none; # comments)" };
        var leg = new Option<string>("--leg") { Description = "How the caller reaches the bridge: twilio (Media Streams WebSocket) or sip (a SIP call with RTP)", DefaultValueFactory = _ => "twilio" };
        leg.AcceptOnlyFromAmong("twilio", "sip");
        var jitter = new Option<int>("--jitter") { Description = "SIP leg: delay each caller RTP packet by a random 0..MS milliseconds", DefaultValueFactory = _ => 0 };
        var loss = new Option<double>("--loss") { Description = "SIP leg: drop this percentage of caller RTP packets", DefaultValueFactory = _ => 0 };
        var reorder = new Option<double>("--reorder") { Description = "SIP leg: hold this percentage of caller RTP packets back behind the next one", DefaultValueFactory = _ => 0 };
        var ptime = new Option<int>("--ptime") { Description = "SIP leg: the caller sends packets of MS milliseconds of audio (10-120, steps of 10)", DefaultValueFactory = _ => 20 };
        var verbose = new Option<bool>("--verbose") { Description = "Log the call path's events" };
        var dataDir = DataDirectory.CreateOption();
        var cost = CostOption.Create();
        var auditPostgres = AuditStoreOption.Create();
        var warmStandby = NodeSettingsOption.CreateWarmStandbyOption();
        var noWarmUp = WarmUpOption.Create();
        var shadow = new Option<string?>("--shadow") { Description = "Shadow mode: run ENGINE silently beside every call on the same caller audio and compare it per turn in the report (one engine: local, cascade-remote, azure-realtime, cascade(stt=..,llm=..,tts=..))" };

        var command = new Command("replay", "Replay recorded caller audio through a Twilio or SIP leg, the bridge and simulated providers, and report")
        {
            inputs, report, outDir, pace, channel, rawMuLaw, parallel, script, chain, fault, verbose, dataDir, auditPostgres,
        };
        command.Options.Add(cost);
        command.Options.Add(warmStandby);
        command.Options.Add(shadow);
        command.Options.Add(leg);
        command.Options.Add(jitter);
        command.Options.Add(loss);
        command.Options.Add(reorder);
        command.Options.Add(ptime);
        command.Options.Add(faults);
        command.Options.Add(clock);
        command.Options.Add(noWarmUp);
        command.SetAction(async (parse, ct) =>
        {
            var impairments = new RtpImpairments(parse.GetValue(jitter), parse.GetValue(loss), parse.GetValue(reorder), PacketMs: parse.GetValue(ptime));
            var replayLeg = parse.GetValue(leg) == "sip" ? ReplayLeg.Sip : ReplayLeg.Twilio;
            var legErrors = impairments.Validate().ToList();
            if (impairments.Any && replayLeg != ReplayLeg.Sip)
            {
                legErrors.Add("--ptime, --jitter, --loss and --reorder apply to RTP: add --leg sip");
            }

            if (parse.GetValue(faults) is not null && parse.GetValue(fault) is { Length: > 0 })
            {
                legErrors.Add("--fault and --faults do not go together: put the faults on a line of a matrix file, or give --fault alone");
            }

            if (parse.GetValue(parallel) is < 1)
            {
                legErrors.Add("--parallel takes a number of calls, 1 or more");
            }

            if (legErrors.Count > 0)
            {
                legErrors.ForEach(e => Console.Error.WriteLine($"replay: {e}"));
                return 2;
            }

            using var loggers = Logging.Factory(Logging.Create(parse.GetValue(verbose) ? LogEventLevel.Debug : LogEventLevel.Warning));
            SimulatorScript simulatorScript;
            ChainSpec chainSpec;
            List<FaultSpec> faultList;
            FaultMatrixParse? matrix = null;
            AuditStore audit;
            Hosting.NodeSettings settings;
            EngineSpec? shadowSpec;
            try
            {
                shadowSpec = parse.GetValue(shadow) is { } shadowText ? ShadowMode.Parse(shadowText) : null;
                settings = NodeSettingsOption.Load(parse, warmStandby);
                simulatorScript = parse.GetValue(script) is { } path ? SimulatorScript.Load(path) : SimulatorScript.Default;
                chainSpec = CostOption.Apply(ChainSpec.Parse(parse.GetValue(chain)!), parse, cost);
                faultList = [.. (parse.GetValue(fault) ?? []).Select(FaultSpec.Parse)];
                ReplayEnvironment.ValidateFaults(ShadowMode.Provisioned(chainSpec, shadowSpec), faultList);
                if (parse.GetValue(faults) is { } matrixName)
                {
                    matrix = FaultMatrixFile.Resolve(matrixName);
                    if (!matrix.Ok)
                    {
                        Console.Error.WriteLine($"replay: {matrix.Error}");
                        return 2;
                    }

                    ValidateMatrix(ShadowMode.Provisioned(chainSpec, shadowSpec), matrix);
                }
                audit = AuditStoreOption.Resolve(parse, dataDir, auditPostgres);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or AuditStoreException)
            {
                Console.Error.WriteLine($"replay: {e.Message}");
                return 2;
            }

            // One voice for the run: espeak-ng renders each phrase once (the simulator's replies are a
            // script), the apology and filler once, however many calls the suite makes.
            var voice = new Speech.EspeakSynthesizer();
            var apology = new Lazy<byte[]>(() => LastResort.Render(voice));
            var filler = new Lazy<byte[]>(() => LastResort.RenderFiller(voice));
            var replayClock = parse.GetValue(clock) == "virtual" ? ReplayClock.Virtual : ReplayClock.Real;
            var options = new ReplayRunOptions
            {
                ReportPath = parse.GetValue(report),
                OutDir = parse.GetValue(outDir)!,
                Pacing = parse.GetValue(pace) == "timeline" ? ReplayPacing.Timeline : ReplayPacing.TurnAware,
                Leg = replayLeg,
                Impairments = impairments,
                Channel = parse.GetValue(channel) switch { "mix" => ChannelSelection.Mix, "left" => ChannelSelection.Left, "right" => ChannelSelection.Right, _ => ChannelSelection.Auto },
                RawMuLaw = parse.GetValue(rawMuLaw),
                Parallelism = parse.GetValue(parallel) ?? (replayClock == ReplayClock.Virtual ? Environment.ProcessorCount : 1),
                Clock = replayClock,
                WarmUp = !parse.GetValue(noWarmUp),
                Chain = chainSpec,
                Faults = faultList,
                Matrix = matrix?.Runs,
                Simulator = () => new SimulatorOptions { Script = simulatorScript, Synthesizer = voice },
                Audit = audit,
                Health = settings.Health,
                Realtime = settings.Realtime,
                CallOptions = () => new CallSessionOptions
                {
                    DryRunTools = true,
                    Apology = apology.Value,
                    Filler = settings.Failover.Filler ? filler.Value : null,
                    Failover = settings.Failover,
                    Shadow = shadowSpec,
                },
            };
            var clockText = replayClock == ReplayClock.Virtual ? "VIRTUAL clock (in memory, fake time, as the tests run)" : "real clock (loopback sockets)";
            var suiteText = matrix is null ? "" : $"; faults {matrix.Source}: {matrix.Runs.Count} runs per recording";
            Console.Out.WriteLine($"replay: {clockText}, {options.Parallelism} at once; {(replayLeg == ReplayLeg.Sip ? $"SIP leg ({impairments})" : "Twilio leg")}; chain {chainSpec}{suiteText}; remote providers are the embedded SIMULATORS (no network, no keys)");
            if (shadowSpec is not null)
            {
                Console.Out.WriteLine($"replay: shadow {shadowSpec.Name} runs silently beside every call (never heard by the caller); its per-turn comparison is in the report");
            }

            try
            {
                return ReplayProgressDisplay.Usable
                    ? await ReplayProgressDisplay.RunAsync((progress, output) =>
                    {
                        options.Progress = progress;
                        return new ReplayRunner(options, loggers, output).RunAsync(parse.GetValue(inputs)!, ct);
                    })
                    : await new ReplayRunner(options, loggers, Console.Out).RunAsync(parse.GetValue(inputs)!, ct);
            }
            catch (AuditStoreException e)
            {
                Console.Error.WriteLine($"replay: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>Every run's faults must be injectable into the chain; the error names the matrix file's line.</summary>
    private static void ValidateMatrix(ChainSpec chain, FaultMatrixParse matrix)
    {
        foreach (var run in matrix.Runs)
        {
            try
            {
                ReplayEnvironment.ValidateFaults(chain, run.Faults);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(run.Line > 0 ? $"{matrix.Source}:{run.Line}: {e.Message}" : $"--faults {matrix.Source}: {e.Message}", e);
            }
        }
    }
}
