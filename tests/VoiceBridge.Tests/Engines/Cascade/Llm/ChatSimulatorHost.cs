using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Simulator.Chat;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

/// <summary>The chat simulator on Kestrel at 127.0.0.1 (ephemeral port), and SDK clients pointed at it.</summary>
internal sealed class ChatSimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ChatSimulatorHost(WebApplication app, ChatSimulator simulator)
    {
        _app = app;
        Simulator = simulator;
    }

    public ChatSimulator Simulator { get; }

    public HttpClient Http { get; } = new();

    public Uri BaseUri => new(_app.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal)));

    public static async Task<ChatSimulatorHost> StartAsync(ChatSimulatorOptions? options = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var simulator = new ChatSimulator(options ?? new ChatSimulatorOptions(), time ?? TimeProvider.System, NullLogger<ChatSimulator>.Instance);
        simulator.Map(app);
        await app.StartAsync();
        return new ChatSimulatorHost(app, simulator);
    }

    /// <summary>A client of <paramref name="provider"/> ("openai" or "anthropic") pointed at the simulator.</summary>
    public GuardedChatClient Client(string provider, ChatProviderOptions? options = null) => provider switch
    {
        "openai" => ChatClients.OpenAi(new Uri(BaseUri, "v1"), "sk-test", "gpt-4o-mini", Http, options),
        "anthropic" => ChatClients.Anthropic(BaseUri, "sk-ant-test", "claude-haiku-4-5", Http, options),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
