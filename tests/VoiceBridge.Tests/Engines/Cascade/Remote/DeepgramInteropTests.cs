using VoiceBridge.Tests.Support;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Hosting;
using VoiceBridge.Simulator.Cascade;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>The Deepgram client over real loopback sockets: against the simulator, and against hand-written misbehaving providers.</summary>
[Trait("Category", "Interop")]
public sealed class DeepgramInteropTests
{
    private const string Key = "dg-test-key";

    [Fact]
    public async Task Fixture_utterance_gives_interims_then_the_hint_as_one_final()
    {
        var simulator = new CascadeSimulator(new CascadeSimulatorOptions { RequiredApiKey = Key }, TimeProvider.System, NullLoggerFactory.Instance);
        simulator.Control.AddTranscriptHints([FixtureSpeech.BookingFirstUtterance]);
        await using var server = await LoopbackServer.StartAsync(app => app.MapCascadeSimulators(simulator));
        var stt = NewClient(server.WebSocketBase, Key);
        var events = new SttRecorder();
        await stt.StartAsync(events, CancellationToken.None);
        foreach (var frame in FixtureSpeech.BookingFrames(3.6))
        {
            stt.SendAudio(frame);
        }

        stt.EndOfUtterance();
        var final = await events.FinalAsync();
        await stt.DisposeAsync();

        Assert.Equal(FixtureSpeech.BookingFirstUtterance, final.Transcript!.Text);
        var entries = events.Log.Snapshot();
        Assert.DoesNotContain(entries, e => e.Error is not null);
        Assert.True(entries.TakeWhile(e => !e.Transcript!.IsFinal).Count() >= 2, string.Join(", ", entries));
        Assert.Single(entries, e => e.Transcript!.IsFinal);
        Assert.NotNull(stt.RequestId);
    }

    [Theory]
    [InlineData("wrong-key", 0, 401)]
    [InlineData(Key, 503, 503)]
    public async Task Refused_upgrade_names_the_http_status(string key, int injected, int expected)
    {
        var simulator = new CascadeSimulator(new CascadeSimulatorOptions { RequiredApiKey = Key }, TimeProvider.System, NullLoggerFactory.Instance);
        simulator.Faults.RejectStatus = injected;
        await using var server = await LoopbackServer.StartAsync(app => app.MapCascadeSimulators(simulator));
        await using var stt = NewClient(server.WebSocketBase, key);

        var e = await Assert.ThrowsAsync<ConnectFailedException>(() => stt.StartAsync(new SttRecorder(), CancellationToken.None).WaitAsync(EventLog<SttEntry>.Bound));
        Assert.Equal(expected, e.HttpStatus);
    }

    [Fact]
    public async Task Client_sends_the_documented_url_header_audio_and_control_messages()
    {
        var seen = new EventLog<string>(s => s);
        string? query = null;
        string? authorization = null;
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map(CascadeWebHosts.DeepgramListenPath, async ctx =>
            {
                query = ctx.Request.QueryString.Value;
                authorization = ctx.Request.Headers.Authorization;
                using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
                await RecordUntilCloseAsync(socket, seen);
            });
        });
        var stt = NewClient(server.WebSocketBase, Key);
        await stt.StartAsync(new SttRecorder(), CancellationToken.None);
        stt.SendAudio(new byte[160]);
        stt.SendAudio([]);
        stt.EndOfUtterance();
        await seen.WaitAsync(s => s.Contains("Finalize", StringComparison.Ordinal), "Finalize");
        await stt.DisposeAsync();
        await seen.WaitAsync(s => s.Contains("CloseStream", StringComparison.Ordinal), "CloseStream");

        Assert.Equal("?encoding=mulaw&sample_rate=8000&channels=1&interim_results=true&endpointing=300&punctuate=true", query);
        Assert.Equal("Token " + Key, authorization);
        Assert.Equal(["binary 160", """text {"type":"Finalize"}""", """text {"type":"CloseStream"}"""], seen.Snapshot());
    }

    [Fact]
    public async Task Bad_provider_output_is_reported_and_a_lost_socket_is_fatal()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map(CascadeWebHosts.DeepgramListenPath, async ctx =>
            {
                using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
                foreach (var message in (string[])["this is not json", """{"type":"Mystery","x":1}""", """{"type":"Error","description":"DATA-0000 cannot decode audio"}""", """{"no":"type"}"""])
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, ctx.RequestAborted);
                }

                await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, ctx.RequestAborted);

                // Drop the connection (no close) once the client is surely connected: it has sent audio.
                await socket.ReceiveAsync(new byte[1024], ctx.RequestAborted);
                ctx.Abort();
            });
        });
        var events = new SttRecorder();
        await using var stt = NewClient(server.WebSocketBase, Key);
        await stt.StartAsync(events, CancellationToken.None);
        stt.SendAudio(new byte[160]);

        var fatal = await events.Log.WaitAsync(e => e.Fatal, "fatal error");
        Assert.StartsWith("deepgram: connection ended", fatal.Error, StringComparison.Ordinal);
        var errors = events.Log.Snapshot().Select(e => (e.Error!, e.Fatal)).ToList();
        Assert.Equal(6, errors.Count);
        Assert.Contains("malformed message skipped: malformed JSON", errors[0].Item1, StringComparison.Ordinal);
        Assert.Equal("deepgram: unknown message type 'Mystery' skipped", errors[1].Item1);
        Assert.Equal("deepgram: provider error: DATA-0000 cannot decode audio", errors[2].Item1);
        Assert.Contains("missing string field 'type'", errors[3].Item1, StringComparison.Ordinal);
        Assert.Contains("binary message of 3 bytes", errors[4].Item1, StringComparison.Ordinal);
        Assert.Equal([false, false, false, false, false, true], errors.Select(e => e.Fatal));
    }

    /// <summary>Logs each message as "binary N" or "text JSON" until the client's CloseStream or close.</summary>
    private static async Task RecordUntilCloseAsync(WebSocket socket, EventLog<string> seen)
    {
        var buffer = new byte[8192];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var text = result.MessageType == WebSocketMessageType.Text ? "text " + Encoding.UTF8.GetString(buffer, 0, result.Count) : $"binary {result.Count}";
            seen.Add(text);
            if (text.Contains("CloseStream", StringComparison.Ordinal))
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return;
            }
        }
    }

    private static DeepgramSpeechToText NewClient(Uri baseUrl, string key) => new(
        new DeepgramOptions { BaseUrl = baseUrl, ApiKey = key },
        new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero),
        TimeProvider.System,
        NullLogger<DeepgramSpeechToText>.Instance);
}
