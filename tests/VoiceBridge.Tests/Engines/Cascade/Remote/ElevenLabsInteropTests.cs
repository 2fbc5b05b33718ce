using VoiceBridge.Tests.Support;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Hosting;
using VoiceBridge.Simulator.Cascade;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>The ElevenLabs client over real loopback sockets: against the simulator, and against hand-written misbehaving providers.</summary>
[Trait("Category", "Interop")]
public sealed class ElevenLabsInteropTests
{
    private const string Key = "xi-test-key";
    private static readonly string[] Sentences = ["Hello, this is Bright Smile Dental.", "How can I help you today?"];

    [Fact]
    public async Task Two_text_chunks_give_audio_as_long_as_espeak_says_the_text()
    {
        var simulator = NewSimulator();
        await using var server = await LoopbackServer.StartAsync(app => app.MapCascadeSimulators(simulator));

        var audio = await Speech.CollectAsync(NewClient(server.WebSocketBase, Key).SpeakAsync(Speech.Chunks(Sentences), CancellationToken.None));

        var expected = Speech.Espeak.SynthesizeMuLaw(string.Join(' ', Sentences)).Length;
        Assert.InRange(audio.Length, expected * 0.7, expected * 1.3);
        Assert.Equal(2, simulator.Control.Sessions.Single().Responses);
    }

    [Fact]
    public async Task Client_sends_the_documented_url_header_and_messages()
    {
        var seen = new List<string>();
        string? query = null;
        string? key = null;
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map(CascadeWebHosts.ElevenLabsStreamInputPath, async ctx =>
            {
                query = ctx.Request.Path + ctx.Request.QueryString;
                key = ctx.Request.Headers["xi-api-key"];
                using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[8192];
                while (seen.LastOrDefault() != """{"text":""}""")
                {
                    var result = await socket.ReceiveAsync(buffer, ctx.RequestAborted);
                    seen.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
                }

                await SendAsync(socket, """{"audio":"AQIDBA==","isFinal":false}""");
                await SendAsync(socket, """{"isFinal":true}""");
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", ctx.RequestAborted);
            });
        });

        var audio = await Speech.CollectAsync(NewClient(server.WebSocketBase, Key).SpeakAsync(Speech.Chunks("Hello.", "  ", "Bye"), CancellationToken.None));

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, audio);
        Assert.Equal("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream-input?model_id=eleven_flash_v2_5&output_format=ulaw_8000", query);
        Assert.Equal(Key, key);
        Assert.Equal(4, seen.Count);
        using (var init = JsonDocument.Parse(seen[0]))
        {
            Assert.Equal(" ", init.RootElement.GetProperty("text").GetString());
            Assert.True(init.RootElement.TryGetProperty("voice_settings", out _));
        }

        Assert.Equal(["""{"text":"Hello. ","try_trigger_generation":true}""", """{"text":"Bye ","try_trigger_generation":true}""", """{"text":""}"""], seen.Skip(1));
    }

    [Theory]
    [InlineData("malformed", "malformed JSON")]
    [InlineData("unknown", "unknown message")]
    [InlineData("provider-error", "provider error input_timeout_exceeded: Have not received a new text input")]
    [InlineData("close", "connection ended before isFinal, after 4 bytes of audio: closed by peer (InternalServerError: overloaded)")]
    [InlineData("drop", "connection ended before isFinal, after")]
    [InlineData("silent", "no message for 300 ms after the text ended (4 bytes of audio received)")]
    public async Task Bad_provider_output_throws_a_clear_exception(string behaviour, string expected)
    {
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map(CascadeWebHosts.ElevenLabsStreamInputPath, ctx => MisbehaveAsync(ctx, behaviour));
        });
        var tts = NewClient(server.WebSocketBase, Key, receiveTimeout: TimeSpan.FromMilliseconds(300));

        var e = await Assert.ThrowsAsync<TextToSpeechException>(() => Speech.CollectAsync(tts.SpeakAsync(Speech.Chunks(Sentences), CancellationToken.None)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("elevenlabs: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wrong-key", 0, 0, "provider error invalid_api_key: Invalid API key")]
    [InlineData(Key, 429, 0, "upgrade rejected with HTTP 429")]
    [InlineData(Key, 0, 2, "connection ended before isFinal")]
    public async Task Simulator_faults_and_refusals_throw_clear_exceptions(string key, int rejectStatus, int dropAfter, string expected)
    {
        var simulator = NewSimulator();
        simulator.Faults.RejectStatus = rejectStatus;
        simulator.Faults.DropAfterMessages = dropAfter;
        await using var server = await LoopbackServer.StartAsync(app => app.MapCascadeSimulators(simulator));

        var e = await Assert.ThrowsAsync<TextToSpeechException>(() => Speech.CollectAsync(NewClient(server.WebSocketBase, key).SpeakAsync(Speech.Chunks(Sentences), CancellationToken.None)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static async Task MisbehaveAsync(HttpContext ctx, string behaviour)
    {
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[8192];
        await socket.ReceiveAsync(buffer, ctx.RequestAborted);
        switch (behaviour)
        {
            case "malformed":
                await SendAsync(socket, "{\"audio\": oops");
                break;
            case "unknown":
                await SendAsync(socket, """{"hello":"world"}""");
                break;
            case "provider-error":
                await SendAsync(socket, """{"message":"Have not received a new text input within the timeout of 20 seconds.","error":"input_timeout_exceeded","code":1008}""");
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "input timeout", ctx.RequestAborted);
                break;
            case "close":
                await SendAsync(socket, """{"audio":"AQIDBA==","isFinal":false}""");
                await socket.CloseOutputAsync(WebSocketCloseStatus.InternalServerError, "overloaded", ctx.RequestAborted);
                break;
            case "drop":
                await SendAsync(socket, """{"audio":"AQIDBA==","isFinal":false}""");
                ctx.Abort();
                return;
            case "silent":
                await SendAsync(socket, """{"audio":"AQIDBA==","isFinal":false}""");
                break;
        }

        // Hold the socket until the client gives up on it.
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, ctx.RequestAborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    private static CascadeSimulator NewSimulator() => new(
        new CascadeSimulatorOptions { Synthesizer = Speech.Espeak, RequiredApiKey = Key },
        TimeProvider.System,
        NullLoggerFactory.Instance);

    private static ElevenLabsTextToSpeech NewClient(Uri baseUrl, string key, TimeSpan? receiveTimeout = null) => new(
        new ElevenLabsOptions { BaseUrl = baseUrl, ApiKey = key, ReceiveTimeout = receiveTimeout ?? TimeSpan.FromSeconds(10) },
        new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero),
        TimeProvider.System,
        NullLogger<ElevenLabsTextToSpeech>.Instance);
}
