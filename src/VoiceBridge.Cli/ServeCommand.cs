using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Hosting;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Transport;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>voicebridge serve</c>: the media server. With no keys it answers calls through the embedded
/// simulated provider (started in-process on loopback, and labelled as simulated in the logs).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "Where to listen [ASPNETCORE_URLS, else http://127.0.0.1:8080]" };
        var publicBaseUrl = new Option<string?>("--public-base-url") { Description = "The public https URL Twilio reaches (builds <Stream url>, validates signatures) [PUBLIC_BASE_URL]" };
        var realtime = new RealtimeSettings();
        var chain = new Option<string>("--chain") { Description = "Engines in failover order", DefaultValueFactory = _ => ChainSpec.Default.ToString() };
        var dataDir = DataDirectory.CreateOption();
        var cost = CostOption.Create();
        var auditPostgres = AuditStoreOption.Create();
        var warmStandby = NodeSettingsOption.CreateWarmStandbyOption();
        var noWarmUp = WarmUpOption.Create();
        var shadow = new Option<string?>("--shadow") { Description = "Shadow mode: run ENGINE silently beside every call on the same caller audio; its per-turn comparison is audited (shadow-turn)" };
        var sip = new SipSettings();
        var webRtc = new WebRtcSettings();
        var admin = new AdminSettings();
        var operations = new OperationsSettings();
        var scaleOut = new ScaleOutSettings();
        var security = new SecuritySettings();
        var command = new Command("serve", "Run the media server: Twilio webhook and Media Streams WebSocket, and SIP/RTP, bridged to a Realtime provider")
        {
            urls, publicBaseUrl, chain, dataDir, auditPostgres,
        };
        realtime.AddTo(command);
        command.Options.Add(cost);
        command.Options.Add(warmStandby);
        command.Options.Add(shadow);
        command.Options.Add(noWarmUp);
        sip.AddTo(command);
        webRtc.AddTo(command);
        admin.AddTo(command);
        operations.AddTo(command);
        scaleOut.AddTo(command);
        security.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var logger = Logging.Create(LogEventLevel.Information, operations.JsonLogs(parse));
            using var loggers = Logging.Factory(logger);
            if (security.LoadSecrets(parse) is { } secretsError)
            {
                Console.Error.WriteLine($"serve: configuration error: {secretsError}");
                return 2;
            }

            var twilio = new TwilioOptions
            {
                AuthToken = Environment.GetEnvironmentVariable("TWILIO_AUTH_TOKEN"),
                PublicBaseUrl = parse.GetValue(publicBaseUrl) ?? Environment.GetEnvironmentVariable("PUBLIC_BASE_URL"),
            };
            var errors = new List<string>(twilio.Validate());
            var sipOptions = sip.Read(parse, errors);
            var webRtcOptions = webRtc.Read(parse, errors);
            operations.Read(parse, errors);
            scaleOut.Read(parse, errors);
            security.Read(parse, errors, TimeProvider.System);
            security.ApplyTo(parse, sipOptions, errors);
            if (webRtcOptions is { } whipJwt)
            {
                whipJwt.Whip.Jwt = security.Jwt;
            }

            var twilioRest = TwilioRestOptions.FromEnvironment();
            errors.AddRange(twilioRest.Validate());
            var callControl = CallControlOptions.FromEnvironment();
            errors.AddRange(callControl.Validate());
            var lastResortTransferTo = Environment.GetEnvironmentVariable("VOICEBRIDGE_LAST_RESORT_TRANSFER_TO");
            if (!string.IsNullOrWhiteSpace(lastResortTransferTo) && !TransferTarget.TryNormalize(lastResortTransferTo, out _, out var lastResortError))
            {
                errors.Add($"VOICEBRIDGE_LAST_RESORT_TRANSFER_TO: {lastResortError}");
            }
            ChainSpec? chainSpec = null;
            try
            {
                chainSpec = ChainSpec.Parse(parse.GetValue(chain)!);
            }
            catch (FormatException e)
            {
                errors.Add($"--chain: {e.Message}");
            }

            chainSpec = CostOption.Apply(chainSpec, parse, cost, errors);
            EngineSpec? shadowSpec = null;
            try
            {
                shadowSpec = parse.GetValue(shadow) is { } shadowText ? ShadowMode.Parse(shadowText) : null;
            }
            catch (FormatException e)
            {
                errors.Add(e.Message);
            }

            NodeSettings? settings = null;
            try
            {
                settings = NodeSettingsOption.Load(parse, warmStandby);
            }
            catch (FormatException e)
            {
                errors.Add(e.Message);
            }

            var provisioned = chainSpec is null ? null : ShadowMode.Provisioned(chainSpec, shadowSpec);
            await using var realtimeProviders = await realtime.StartAsync(parse, provisioned, settings?.Realtime ?? new RealtimeEngineOptions(), errors, loggers, logger);

            var listen = parse.GetValue(urls) ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://127.0.0.1:8080";
            errors.AddRange(ListenUrls.Problems(listen));
            admin.Read(parse, listen, chainSpec, errors, security.Jwt, security.AdminScope);
            using var http = new HttpClient();
            var providers = chainSpec is null ? null : ServeProviders.FromEnvironment(provisioned!, realtimeProviders.Endpoints, http, errors);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    Console.Error.WriteLine($"serve: configuration error: {error}");
                }

                return 2;
            }

            var engines = new EngineFactory(
                chainSpec!,
                providers!,
                new SystemWebSocketConnector(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)),
                TimeProvider.System,
                loggers);
            QueuedAuditLog opened;
            try
            {
                opened = await AuditStoreOption.Resolve(parse, dataDir, auditPostgres).OpenAsync(loggers, ct);
            }
            catch (AuditStoreException e)
            {
                Console.Error.WriteLine($"serve: configuration error: {e.Message}");
                return 2;
            }

            await using var audit = opened;
            using var retention = security.StartRetention(parse, AuditStoreOption.Resolve(parse, dataDir, auditPostgres), TimeProvider.System, loggers);
            // One provider health for every call of the node: breakers, probes, failback (docs/failover.md).
            await using var health = engines.AttachHealth(settings!.Health, audit);
            await using var scale = await scaleOut.StartAsync(health, chainSpec!, audit, loggers, ct);
            if (scale is null)
            {
                return 2;
            }

            var callOptions = new CallSessionOptions { AuditLog = audit, CallControl = callControl, LastResortTransferTo = lastResortTransferTo, Failover = settings.Failover, Shadow = shadowSpec, ShadowFactory = engines.CreateShadow };
            callOptions.Apology = LastResort.Render(providers!.LocalVoice, callOptions);
            callOptions.Filler = settings.Failover.Filler ? LastResort.RenderFiller(providers.LocalVoice) : null;
            callOptions.Consent = security.RenderConsent(parse, providers.LocalVoice);
            using var twilioCalls = twilioRest.IsConfigured ? new TwilioCallUpdater(twilioRest) : null;
            var bridge = new BridgeComposition(engines, callOptions, TimeProvider.System, loggers) { TwilioCalls = twilioCalls, Limits = security.Limits, TwilioMessagesPerSecond = security.TwilioMessageRate };
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(listen);

            // https:// URLs and Kestrel's certificate settings (docs/security.md, "TLS"); the slim builder leaves them out.
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.Host.UseSerilog(logger);
            builder.Services.AddSingleton(bridge.TwilioCounters);
            operations.ConfigureHost(builder, bridge.Registry, loggers);
            builder.Services.Configure<TwilioOptions>(o =>
            {
                o.AuthToken = twilio.AuthToken;
                o.PublicBaseUrl = twilio.PublicBaseUrl;
            });
            var app = builder.Build();
            security.UseProxies(app);
            bridge.TwilioContinuity = scale.Checkpoints;
            app.MapBridge(bridge);
            admin.Attach(app, bridge, audit, loggers);
            OperationsSettings.Map(app, bridge, audit, health, webRtcOptions?.Whip);
            await using var whipSessions = webRtcOptions is { } browser
                ? bridge.CreateWebRtcSessions(browser.Media, UdpDatagramNetwork.Instance, DtlsCertificate.CreateSelfSigned(TimeProvider.System))
                : null;
            if (whipSessions is not null)
            {
                app.MapWhip(webRtcOptions!.Value.Whip, whipSessions, bridge.Limits);
                app.MapCallEvents(bridge.Registry, webRtcOptions.Value.Whip.BearerToken);
            }

            await using var sipEndpoint = sipOptions is null ? null : bridge.CreateSipEndpoint(sipOptions, UdpDatagramNetwork.Instance);
            try
            {
                sipEndpoint?.Start();
            }
            catch (System.Net.Sockets.SocketException e)
            {
                Console.Error.WriteLine($"serve: configuration error: --sip-listen {sipOptions!.Listen}: {e.Message} (choose another HOST:PORT, or --sip-listen off)");
                return 2;
            }

            if (!parse.GetValue(noWarmUp))
            {
                var warm = CallPathWarmUp.Run(chainSpec!);
                if (warm.Completed)
                {
                    logger.Information("Warm-up call ({Switches} switch, simulated providers, in memory) in {Seconds:0.0} s", warm.Switches, warm.Elapsed.TotalSeconds);
                }
                else
                {
                    logger.Warning("Warm-up call failed ({Error}); the first call compiles the call path", warm.Error);
                }
            }

            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                // Kestrel's bind failure (the port in use, an address not of this machine): one line, not its stack.
                Console.Error.WriteLine($"serve: cannot listen on {listen}: {e.Message}");
                return 2;
            }
            logger.Information(
                "VoiceBridge serving on {Urls}: POST /twilio/voice, WebSocket /twilio/media; SIP {Sip}; WHIP {Whip}; chain {Chain}; Realtime {Realtime}; Twilio signatures {Signatures}; audit {Audit}",
                string.Join(", ", app.Urls), sipEndpoint is null ? "off" : $"udp {sipEndpoint.LocalEndPoint}",
                webRtcOptions is { } whip ? $"POST {whip.Whip.Path} (token {(string.IsNullOrEmpty(whip.Whip.BearerToken) ? "none" : "required")}), media on {whip.Media.PublicAddress}" : "off", string.Join(" -> ", engines.Describe()), realtimeProviders.Describe(),
                string.IsNullOrEmpty(twilio.AuthToken) ? "not checked (no TWILIO_AUTH_TOKEN)" : "required", audit.Location);
            security.Report(loggers.CreateLogger<SecuritySettings>(), new Security.NodeExposure
            {
                Urls = string.Join(";", app.Urls),
                TwilioSignatures = !string.IsNullOrEmpty(twilio.AuthToken),
                WhipAuthenticated = webRtcOptions is { } exposed ? !string.IsNullOrEmpty(exposed.Whip.BearerToken) || exposed.Whip.Jwt is not null : null,
                SipListen = sipOptions?.Listen.Address,
                SipGuarded = sipOptions is { } guarded && (guarded.AllowedSources.Count > 0 || guarded.Digest is not null),
                MaxCalls = security.Limits.MaxCalls,
            });
            logger.Information("Operations: GET /health, /ready, /metrics; traces {Traces}; SIGTERM drains calls", operations.Describe());
            await app.WaitForShutdownAsync(ct);
            await app.DisposeAsync();
            return 0;
        });
        return command;
    }
}
