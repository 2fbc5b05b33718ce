using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Hosting;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>The Realtime client against providers that misbehave or are not there, over real sockets.</summary>
public sealed partial class RealtimeEngineSimulatorTests
{
    private const string ProviderErrorMessage = "The session hit a test fault.";

    [Fact]
    public async Task Bad_provider_output_is_reported_and_survived_until_the_provider_closes()
    {
        var firstClientMessage = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map(WebHosts.RealtimePath, ctx => MisbehavingProviderAsync(ctx, firstClientMessage));
        });
        var events = new EngineEventRecorder();
        await using var engine = NewEngine(new RealtimeEngineOptions { Endpoint = server.RealtimeEndpoint, Simulated = true });

        await engine.StartAsync(new EngineStart(7, new Conversation("test"), [], events), CancellationToken.None);
        var closed = await events.WaitAsync(EngineEventKind.Closed);

        Assert.Equal(
            [EngineEventKind.Ready, EngineEventKind.Error, EngineEventKind.Error, EngineEventKind.Closed],
            events.Events.Select(e => e.Kind));
        Assert.All(events.Events, e => Assert.Equal(7, e.Generation));
        var errors = events.OfKind(EngineEventKind.Error);
        Assert.StartsWith("malformed server event", errors[0].Text);
        Assert.Contains(ProviderErrorMessage, errors[1].Text);
        Assert.Contains("server_error", errors[1].Text);
        Assert.Equal(1, engine.UnknownEvents);
        Assert.Contains("closed by peer", closed.Text);
        Assert.Contains("provider going away", closed.Text);
        Assert.Equal("session.update", new WireMessage(await firstClientMessage.Task.WaitAsync(AwaitableLog<WireMessage>.Bound)).Type);
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_fails_naming_the_uri()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new RealtimeEngineOptions { Endpoint = new Uri($"ws://127.0.0.1:{port}{WebHosts.RealtimePath}"), Simulated = true };
        var events = new EngineEventRecorder();
        await using var engine = NewEngine(options);

        var error = await Assert.ThrowsAsync<ConnectFailedException>(
            () => engine.StartAsync(new EngineStart(1, new Conversation("test"), [], events), CancellationToken.None).WaitAsync(AwaitableLog<WireMessage>.Bound));

        Assert.Equal(options.ConnectUri, error.Uri);
        Assert.Contains(options.ConnectUri.ToString(), error.Message);
        Assert.Null(error.HttpStatus);
        Assert.Empty(events.Events);
    }

    [Fact]
    public async Task An_upgrade_answered_with_503_fails_with_the_status()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.Map(WebHosts.RealtimePath, ctx =>
        {
            ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            ctx.Response.Headers.RetryAfter = "7";
            return ctx.Response.WriteAsync("overloaded\n");
        }));
        var options = new RealtimeEngineOptions { Endpoint = server.RealtimeEndpoint, Simulated = true };
        var events = new EngineEventRecorder();
        await using var engine = NewEngine(options);

        var error = await Assert.ThrowsAsync<ConnectFailedException>(
            () => engine.StartAsync(new EngineStart(1, new Conversation("test"), [], events), CancellationToken.None).WaitAsync(AwaitableLog<WireMessage>.Bound));

        Assert.Equal(503, error.HttpStatus);
        Assert.Equal(7, error.RetryAfterSeconds);
        Assert.Equal(options.ConnectUri, error.Uri);
        Assert.Contains(options.ConnectUri.ToString(), error.Message);
        Assert.Contains("HTTP 503", error.Message);
        Assert.Empty(events.Events);
    }

    [Fact]
    public async Task An_upgrade_that_never_comes_fails_as_a_connect_failure_after_the_connect_timeout()
    {
        // Takes TCP connections (the kernel's backlog) and never answers the HTTP upgrade.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            var options = new RealtimeEngineOptions
            {
                Endpoint = new Uri($"ws://127.0.0.1:{port}{WebHosts.RealtimePath}"), Simulated = true, ConnectTimeout = TimeSpan.FromMilliseconds(300),
            };
            var events = new EngineEventRecorder();
            await using var engine = NewEngine(options);

            var error = await Assert.ThrowsAsync<ConnectFailedException>(
                () => engine.StartAsync(new EngineStart(1, new Conversation("test"), [], events), CancellationToken.None).WaitAsync(AwaitableLog<WireMessage>.Bound));

            Assert.Equal(options.ConnectUri, error.Uri);
            Assert.Null(error.HttpStatus);
            Assert.Contains("timed out", error.Message);
            Assert.Empty(events.Events);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task Cancelling_the_start_is_a_cancellation_not_a_connect_failure()
    {
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            var options = new RealtimeEngineOptions { Endpoint = new Uri($"ws://127.0.0.1:{port}{WebHosts.RealtimePath}"), Simulated = true };
            await using var engine = NewEngine(options);
            using var cancel = new CancellationTokenSource();

            var start = engine.StartAsync(new EngineStart(1, new Conversation("test"), [], new EngineEventRecorder()), cancel.Token);
            cancel.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start.WaitAsync(AwaitableLog<WireMessage>.Bound));
        }
        finally
        {
            silent.Stop();
        }
    }

    private RealtimeEngine NewEngine(RealtimeEngineOptions options) =>
        new(options, new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero), TimeProvider.System, new TestLoggerFactory(output).CreateLogger<RealtimeEngine>());

    /// <summary>
    /// A provider of our own: session.created, (reads the client's session.update) session.updated,
    /// then a malformed frame, an event type nobody knows, a valid error event, and a close.
    /// </summary>
    private static async Task MisbehavingProviderAsync(HttpContext ctx, TaskCompletionSource<string> firstClientMessage)
    {
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        using var bound = new CancellationTokenSource(AwaitableLog<WireMessage>.Bound);
        var config = new RealtimeSessionConfig();
        await SendAsync(socket, w => RealtimeServerWriter.WriteSessionCreated(w, "event_1", "sess_bad", "gpt-realtime", config), bound.Token);
        firstClientMessage.TrySetResult(await ReceiveTextAsync(socket, bound.Token) ?? "");
        await SendAsync(socket, w => RealtimeServerWriter.WriteSessionUpdated(w, "event_2", "sess_bad", "gpt-realtime", config), bound.Token);
        await SendAsync(socket, """{"type":"response.done","event_id":"event_3","response":{"id":"resp_1","status":""", bound.Token);
        await SendAsync(socket, """{"type":"response.brand_new_thing","event_id":"event_4","payload":{"nested":[1,2,{"x":null}]}}""", bound.Token);
        await SendAsync(socket, $$$"""{"type":"error","event_id":"event_5","error":{"type":"server_error","code":"test_fault","message":"{{{ProviderErrorMessage}}}","param":null,"event_id":null}}""", bound.Token);
        await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "provider going away", bound.Token);
        try
        {
            // Until the client answers the close.
            while (await ReceiveTextAsync(socket, bound.Token) is not null)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    private static Task SendAsync(WebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);

    private static Task SendAsync(WebSocket socket, Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return socket.SendAsync(buffer.WrittenMemory.ToArray(), WebSocketMessageType.Text, true, cancellationToken);
    }

    /// <summary>One whole text message, or null at the peer's close.</summary>
    private static async Task<string?> ReceiveTextAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }
}
