using System.Net.WebSockets;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Transport;

/// <summary>
/// Every provider client connects through <see cref="WebSocketConnectorExtensions.ConnectWithinAsync"/>:
/// running out of time is a failed connection that names the wait, while a cancellation from the
/// caller or the client's own lifetime stays a cancellation.
/// </summary>
public sealed class ConnectWithinTests
{
    private static readonly Uri Server = new("ws://127.0.0.1:9/v1/realtime");

    [Fact]
    public async Task An_upgrade_that_never_answers_fails_at_the_timeout_naming_it()
    {
        var time = new FakeTimeProvider();
        var connect = new NeverAnswers().ConnectWithinAsync(Server, new Dictionary<string, string>(), TimeSpan.FromMilliseconds(1500), time, CancellationToken.None);

        time.Advance(TimeSpan.FromMilliseconds(1499));
        Assert.False(connect.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<ConnectFailedException>(() => connect);
        Assert.Equal(Server, error.Uri);
        Assert.Null(error.HttpStatus);
        Assert.Equal($"connecting to {Server} failed: timed out after 1500 ms waiting for the WebSocket upgrade", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cancellation_by_the_caller_or_the_lifetime_stays_a_cancellation(bool byLifetime)
    {
        var time = new FakeTimeProvider();
        using var caller = new CancellationTokenSource();
        using var lifetime = new CancellationTokenSource();
        var connect = new NeverAnswers().ConnectWithinAsync(Server, new Dictionary<string, string>(), TimeSpan.FromSeconds(5), time, caller.Token, lifetime.Token);

        (byLifetime ? lifetime : caller).Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect);
    }

    /// <summary>A server that accepted the TCP connection and never answers the upgrade.</summary>
    private sealed class NeverAnswers : IWebSocketConnector
    {
        public Task<WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken) =>
            new TaskCompletionSource<WebSocket>().Task.WaitAsync(cancellationToken);
    }
}
