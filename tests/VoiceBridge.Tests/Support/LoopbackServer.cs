using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using VoiceBridge.Hosting;

namespace VoiceBridge.Tests.Support;

/// <summary>
/// Kestrel on 127.0.0.1 with an ephemeral port, mapped by the test: a simulator, or a hand-written
/// misbehaving provider.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app) => _app = app;

    /// <summary>ws://127.0.0.1:PORT</summary>
    public Uri WebSocketBase => _app.WebSocketBase();

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri HttpBase => new("http://" + WebSocketBase.Authority);

    /// <summary>ws://127.0.0.1:PORT/v1/realtime.</summary>
    public Uri RealtimeEndpoint => new(WebSocketBase, WebHosts.RealtimePath);

    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        try
        {
            map(app);
            await app.StartAsync();
            return new LoopbackServer(app);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Bounded: a connection a test left open must not hold the host's shutdown for its default 30 s.
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopTimeout.Token);
        await _app.DisposeAsync();
    }
}
