using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Hosting;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Operations;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>serve</c>'s operations options (docs/operations.md): log format, OTLP trace export, drain
/// timeout; and their wiring: <c>/ready</c>, <c>/metrics</c>, the drain on SIGTERM.
/// </summary>
internal sealed class OperationsSettings
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private readonly Option<string> _logFormat = new("--log-format")
    {
        Description = "Log lines as text, or json (compact JSON, one event a line, every property, the call id on call-path events)",
        DefaultValueFactory = _ => "text",
    };

    private readonly Option<string?> _otlpEndpoint = new("--otlp-endpoint")
    {
        Description = $"Export traces (a span per call and per provider request) over OTLP to URL [{OtlpEndpointVariable}; neither: no export]",
    };

    private readonly Option<double> _drainTimeout = new("--drain-timeout")
    {
        Description = "On SIGTERM: seconds calls in progress may go on before they are hung up (new calls are refused at once)",
        DefaultValueFactory = _ => 30,
    };

    private Uri? _otlp;
    private bool _otlpFromEnvironment;
    private DrainOptions _drain = new();

    public void AddTo(Command command)
    {
        command.Options.Add(_logFormat);
        command.Options.Add(_otlpEndpoint);
        command.Options.Add(_drainTimeout);
    }

    /// <summary>Whether logs are JSON; read before the rest so configuration errors are logged in the chosen format.</summary>
    public bool JsonLogs(ParseResult parse) => string.Equals(parse.GetValue(_logFormat), "json", StringComparison.OrdinalIgnoreCase);

    public void Read(ParseResult parse, List<string> errors)
    {
        if (parse.GetValue(_logFormat) is not ("text" or "json"))
        {
            errors.Add($"--log-format '{parse.GetValue(_logFormat)}' is not one of text, json");
        }

        var endpoint = parse.GetValue(_otlpEndpoint);
        _otlpFromEnvironment = endpoint is null && !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));
        if (endpoint is not null)
        {
            if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                _otlp = uri;
            }
            else
            {
                errors.Add($"--otlp-endpoint '{endpoint}' is not an absolute http(s) URL");
            }
        }

        var seconds = parse.GetValue(_drainTimeout);
        if (seconds is < 0 or > 3600 || double.IsNaN(seconds))
        {
            errors.Add($"--drain-timeout {seconds} is not between 0 and 3600 seconds");
        }
        else
        {
            _drain = new DrainOptions { Timeout = TimeSpan.FromSeconds(seconds) };
        }
    }

    /// <summary>Where traces go, for the start-up line.</summary>
    public string Describe() => _otlp is not null ? $"OTLP {_otlp}" : _otlpFromEnvironment ? $"OTLP ({OtlpEndpointVariable})" : "off";

    /// <summary>Before the host is built: trace export when configured, the drain on stop, a shutdown timeout the drain fits in.</summary>
    public void ConfigureHost(WebApplicationBuilder builder, CallRegistry registry, ILoggerFactory loggers)
    {
        if (_otlp is not null || _otlpFromEnvironment)
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService("voicebridge"))
                // Kestrel's request spans too: a call's span is the child of the request that carried
                // it (the media WebSocket, the WHIP POST), and the default parent-based sampler drops
                // the children of a request span nobody records, which left calls unexported.
                .WithTracing(t => t.AddSource(BridgeTelemetry.Name, "Microsoft.AspNetCore").AddOtlpExporter(o =>
                {
                    if (_otlp is not null)
                    {
                        o.Endpoint = _otlp;
                    }
                }));
        }

        var drain = new CallDrain(registry, _drain, TimeProvider.System, loggers.CreateLogger<CallDrain>());
        builder.Services.AddSingleton(new DrainOnShutdown(drain));
        builder.Services.AddHostedService(s => s.GetRequiredService<DrainOnShutdown>());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = _drain.Timeout + _drain.HangUpGrace + TimeSpan.FromSeconds(10));
    }

    /// <summary>After the host is built: <c>/ready</c>, <c>/metrics</c>, the drain gate; breakers reported per provider.</summary>
    public static void Map(WebApplication app, BridgeComposition bridge, QueuedAuditLog audit, ProviderHealth health, WhipOptions? whip)
    {
        var chain = (IEngineChain)bridge.Engines;
        BridgeMetrics.ObserveBreakers(health, [.. Enumerable.Range(0, chain.Count).Select(chain.NameAt)]);
        app.MapOperations(new Readiness(bridge.Registry, chain, () => audit.IsOpen), PrometheusExport.Shared, bridge.Registry, whip);
    }
}
