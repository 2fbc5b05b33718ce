using System.CommandLine;
using Microsoft.Extensions.Logging;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Hosting;
using VoiceBridge.Simulator;

namespace VoiceBridge.Cli;

/// <summary>
/// Where <c>serve</c>'s Realtime engines are. <c>openai-realtime</c>: <c>--realtime-url</c> [OpenAI's
/// endpoint], key <c>OPENAI_API_KEY</c> as a bearer token. <c>azure-realtime</c>:
/// <c>--azure-realtime-url</c> (a resource's own, no default), key <c>AZURE_OPENAI_API_KEY</c> in the
/// <c>api-key</c> header, model <c>--azure-deployment</c> [the <c>--model</c> value]. An engine of the
/// chain with neither key nor URL is answered by an embedded simulator of its own (on loopback,
/// warned about and labelled SIMULATED); a URL without its key, or an Azure key without its URL, is a
/// configuration error. The tuning (<c>Realtime:*</c>) is the node's, shared by both.
/// </summary>
internal sealed class RealtimeSettings
{
    private const string OpenAi = "openai-realtime";
    private const string Azure = "azure-realtime";

    private readonly Option<string?> _url = new("--realtime-url") { Description = "OpenAI Realtime WebSocket endpoint of engine openai-realtime [wss://api.openai.com/v1/realtime when OPENAI_API_KEY is set, else an embedded simulator]" };
    private readonly Option<string?> _azureUrl = new("--azure-realtime-url")
    {
        Description = "Azure OpenAI Realtime WebSocket endpoint of engine azure-realtime, e.g. wss://RESOURCE.openai.azure.com/openai/v1/realtime; key AZURE_OPENAI_API_KEY, sent as api-key [required with that key, else an embedded simulator]",
    };

    private readonly Option<string?> _azureDeployment = new("--azure-deployment") { Description = "The Azure deployment engine azure-realtime asks for [the --model value]" };
    private readonly Option<string> _model = new("--model") { Description = "Realtime model", DefaultValueFactory = _ => "gpt-realtime" };
    private readonly Option<string> _voice = new("--voice") { Description = "Realtime voice", DefaultValueFactory = _ => "alloy" };

    public void AddTo(Command command)
    {
        command.Options.Add(_url);
        command.Options.Add(_azureUrl);
        command.Options.Add(_azureDeployment);
        command.Options.Add(_model);
        command.Options.Add(_voice);
    }

    /// <summary>
    /// The options of every Realtime engine of <paramref name="chain"/> (none when it is null), each
    /// with <paramref name="tuning"/>'s settings, starting the simulators the keyless ones need;
    /// problems go to <paramref name="errors"/>.
    /// </summary>
    public async Task<RealtimeProviders> StartAsync(ParseResult parse, ChainSpec? chain, RealtimeEngineOptions tuning, List<string> errors, ILoggerFactory loggers, Serilog.ILogger logger)
    {
        var providers = new RealtimeProviders();
        foreach (var engine in chain?.Engines.Where(e => e.Kind == EngineKind.Realtime) ?? [])
        {
            var azure = engine.Name == Azure;
            var option = azure ? _azureUrl : _url;
            var header = azure ? "api-key" : "Authorization";
            var options = tuning.For(engine.Name, new Uri("wss://api.openai.com/v1/realtime"), null, header, simulated: false);
            options.ApiKey = Environment.GetEnvironmentVariable(options.ApiKeyVariable);
            options.Model = azure ? parse.GetValue(_azureDeployment) ?? parse.GetValue(_model)! : parse.GetValue(_model)!;
            options.Voice = parse.GetValue(_voice)!;
            if (parse.GetValue(option) is { } url)
            {
                if (Uri.TryCreate(url, UriKind.Absolute, out var endpoint))
                {
                    options.Endpoint = endpoint;
                }
                else
                {
                    errors.Add($"{option.Name} '{url}' is not an absolute URL");
                }
            }
            else if (string.IsNullOrEmpty(options.ApiKey))
            {
                var simulator = await providers.StartSimulatorAsync(engine.Name, loggers);
                options.Endpoint = simulator;
                options.Simulated = true;
                logger.Warning(
                    "no {Variable}: engine {Engine} is answered by an embedded SIMULATED Realtime provider at {Endpoint} (give the key{Url} for the real one)",
                    options.ApiKeyVariable, engine.Name, simulator, azure ? " and --azure-realtime-url" : "");
            }
            else if (azure)
            {
                errors.Add($"--azure-realtime-url is required with {options.ApiKeyVariable}: engine '{Azure}' has no default endpoint (an Azure resource's is wss://RESOURCE.openai.azure.com/openai/v1/realtime)");
            }

            errors.AddRange(options.Validate());
            providers.Endpoints[engine.Name] = options;
        }

        if (chain is not null && !chain.Engines.Any(e => e.Name == Azure) && (parse.GetValue(_azureUrl) ?? parse.GetValue(_azureDeployment)) is not null)
        {
            errors.Add($"--azure-realtime-url and --azure-deployment are for engine '{Azure}', which the chain {chain} does not name");
        }

        return providers;
    }
}

/// <summary>The Realtime engines' options by engine name, and the embedded simulators answering those without a key.</summary>
internal sealed class RealtimeProviders : IAsyncDisposable
{
    private readonly List<Microsoft.AspNetCore.Builder.WebApplication> _simulators = [];

    public Dictionary<string, RealtimeEngineOptions> Endpoints { get; } = [];

    /// <summary>For the start-up line: each engine, where it connects, and whether it is simulated.</summary>
    public string Describe() => Endpoints.Count == 0
        ? "none"
        : string.Join(", ", Endpoints.Values.Select(o => $"{o.Name} {o.ConnectUri}{(o.Simulated ? " (SIMULATED)" : "")}"));

    /// <summary>A simulated provider named after <paramref name="engine"/> on a loopback port of its own; its Realtime endpoint.</summary>
    public async Task<Uri> StartSimulatorAsync(string engine, ILoggerFactory loggers)
    {
        var simulator = new RealtimeSimulator(new SimulatorOptions(), TimeProvider.System, loggers.CreateLogger<RealtimeSimulator>(), name: engine);
        var app = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapSimulator(simulator));
        _simulators.Add(app);
        return new Uri(app.WebSocketBase(), WebHosts.RealtimePath);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _simulators)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
