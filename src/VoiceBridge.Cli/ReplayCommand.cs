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
        var parallel = new Option<int>("--parallel") { Description = "Recordings replayed at once", DefaultValueFactory = _ => 1 };
        var script = new Option<string?>("--script") { Description = "A simulator script (JSON) instead of the built-in dental-clinic one" };
        var chain = new Option<string>("--chain") { Description = "Engines in order: openai-realtime, local, cascade-remote, cascade(stt=..,llm=..,tts=..)", DefaultValueFactory = _ => ChainSpec.Default.ToString() };
        var fault = new Option<string[]>("--fault") { Description = "Inject a fault: TARGET:KIND[@WHEN], e.g. primary:close@turn2 (repeatable; see docs/failover.md)", AllowMultipleArgumentsPerToken = false };
        var leg = new Option<string>("--leg") { Description = "How the caller reaches the bridge: twilio (Media Streams WebSocket) or sip (a SIP call with RTP)", DefaultValueFactory = _ => "twilio" };
        leg.AcceptOnlyFromAmong("twilio", "sip");
        var jitter = new Option<int>("--jitter") { Description = "SIP leg: delay each caller RTP packet by a random 0..MS milliseconds", DefaultValueFactory = _ => 0 };
        var loss = new Option<double>("--loss") { Description = "SIP leg: drop this percentage of caller RTP packets", DefaultValueFactory = _ => 0 };
        var reorder = new Option<double>("--reorder") { Description = "SIP leg: hold this percentage of caller RTP packets back behind the next one", DefaultValueFactory = _ => 0 };
        var verbose = new Option<bool>("--verbose") { Description = "Log the call path's events" };
        var dataDir = DataDirectory.CreateOption();
        var cost = CostOption.Create();
        var auditPostgres = AuditStoreOption.Create();
        var warmStandby = FailoverSettings.CreateWarmStandbyOption();

        var command = new Command("replay", "Replay recorded caller audio through a Twilio or SIP leg, the bridge and simulated providers, and report")
        {
            inputs, report, outDir, pace, channel, rawMuLaw, parallel, script, chain, fault, verbose, dataDir, auditPostgres,
        };
        command.Options.Add(cost);
        command.Options.Add(warmStandby);
        command.Options.Add(leg);
        command.Options.Add(jitter);
        command.Options.Add(loss);
        command.Options.Add(reorder);
        command.SetAction(async (parse, ct) =>
        {
            var impairments = new RtpImpairments(parse.GetValue(jitter), parse.GetValue(loss), parse.GetValue(reorder));
            var replayLeg = parse.GetValue(leg) == "sip" ? ReplayLeg.Sip : ReplayLeg.Twilio;
            var legErrors = impairments.Validate().ToList();
            if (impairments.Any && replayLeg != ReplayLeg.Sip)
            {
                legErrors.Add("--jitter, --loss and --reorder apply to RTP: add --leg sip");
            }

            if (legErrors.Count > 0)
            {
                legErrors.ForEach(e => Console.Error.WriteLine($"replay: {e}"));
                return 2;
            }

            using var loggers = Logging.Factory(Logging.Create(parse.GetValue(verbose) ? LogEventLevel.Debug : LogEventLevel.Warning));
            SimulatorScript simulatorScript;
            ChainSpec chainSpec;
            List<FaultSpec> faults;
            AuditStore audit;
            FailoverOptions failover;
            try
            {
                failover = FailoverSettings.Load(parse, warmStandby);
                simulatorScript = parse.GetValue(script) is { } path ? SimulatorScript.Load(path) : SimulatorScript.Default;
                chainSpec = CostOption.Apply(ChainSpec.Parse(parse.GetValue(chain)!), parse, cost);
                faults = [.. (parse.GetValue(fault) ?? []).Select(FaultSpec.Parse)];
                ReplayEnvironment.ValidateFaults(chainSpec, faults);
                audit = AuditStoreOption.Resolve(parse, dataDir, auditPostgres);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or AuditStoreException)
            {
                Console.Error.WriteLine($"replay: {e.Message}");
                return 2;
            }

            var options = new ReplayRunOptions
            {
                ReportPath = parse.GetValue(report),
                OutDir = parse.GetValue(outDir)!,
                Pacing = parse.GetValue(pace) == "timeline" ? ReplayPacing.Timeline : ReplayPacing.TurnAware,
                Leg = replayLeg,
                Impairments = impairments,
                Channel = parse.GetValue(channel) switch { "mix" => ChannelSelection.Mix, "left" => ChannelSelection.Left, "right" => ChannelSelection.Right, _ => ChannelSelection.Auto },
                RawMuLaw = parse.GetValue(rawMuLaw),
                Parallelism = parse.GetValue(parallel),
                Chain = chainSpec,
                Faults = faults,
                Simulator = () => new SimulatorOptions { Script = simulatorScript },
                Audit = audit,
                CallOptions = () => new CallSessionOptions
                {
                    DryRunTools = true,
                    Apology = LastResort.Render(new Speech.EspeakSynthesizer()),
                    Filler = failover.Filler ? LastResort.RenderFiller(new Speech.EspeakSynthesizer()) : null,
                    Failover = failover,
                },
            };
            Console.Out.WriteLine($"replay: {(replayLeg == ReplayLeg.Sip ? $"SIP leg ({impairments})" : "Twilio leg")}; chain {chainSpec}; remote providers are the embedded SIMULATORS (no network, no keys)");
            try
            {
                return await new ReplayRunner(options, loggers, Console.Out).RunAsync(parse.GetValue(inputs)!, ct);
            }
            catch (AuditStoreException e)
            {
                Console.Error.WriteLine($"replay: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
