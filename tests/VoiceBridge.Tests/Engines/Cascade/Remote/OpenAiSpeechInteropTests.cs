using VoiceBridge.Tests.Support;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Hosting;
using VoiceBridge.Simulator.Cascade;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>The OpenAI speech client over real loopback HTTP: against the simulator, and against hand-written misbehaving servers.</summary>
[Trait("Category", "Interop")]
public sealed class OpenAiSpeechInteropTests
{
    private const string Key = "sk-test-key";
    private static readonly string[] Sentences = ["Your appointment is booked.", "See you tomorrow at three."];

    [Fact]
    public async Task Sentences_come_back_as_8khz_mulaw_of_the_spoken_length()
    {
        var simulator = NewSimulator();
        await using var server = await LoopbackServer.StartAsync(app => app.MapCascadeSimulators(simulator));
        using var http = new HttpClient();

        var audio = await Speech.CollectAsync(NewClient(server.HttpBase, http, Key).SpeakAsync(Speech.Chunks(Sentences), CancellationToken.None));

        // The simulator speaks at 8 kHz and upsamples exactly threefold; the client brings it back exactly.
        Assert.Equal(Sentences.Sum(s => Speech.Espeak.SynthesizeMuLaw(s).Length), audio.Length);
        Assert.Equal(2, simulator.Control.Sessions.Count(s => s.Responses == 1));
        Assert.True(audio.Count(b => b != 0xFF && b != 0x7F) > audio.Length / 4, "mostly silence");
    }

    [Fact]
    public async Task Client_posts_the_documented_json_and_carries_odd_bytes_across_reads()
    {
        string? body = null;
        string? authorization = null;
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost(CascadeWebHosts.OpenAiSpeechPath, async ctx =>
        {
            authorization = ctx.Request.Headers.Authorization;
            body = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
            ctx.Response.ContentType = "audio/pcm";
            foreach (var n in (int[])[1001, 1999])
            {
                await ctx.Response.Body.WriteAsync(new byte[n]);
                await ctx.Response.Body.FlushAsync();
            }
        }));
        using var http = new HttpClient();

        var audio = await Speech.CollectAsync(NewClient(server.HttpBase, http, Key).SpeakAsync(Speech.Chunks("Hi there."), CancellationToken.None));

        Assert.Equal(3000 / 2 / 3, audio.Length);
        Assert.Equal("Bearer " + Key, authorization);
        using var json = JsonDocument.Parse(body!);
        Assert.Equal(("gpt-4o-mini-tts", "Hi there.", "alloy", "pcm"), (
            json.RootElement.GetProperty("model").GetString(), json.RootElement.GetProperty("input").GetString(),
            json.RootElement.GetProperty("voice").GetString(), json.RootElement.GetProperty("response_format").GetString()));
    }

    [Theory]
    [InlineData("http-500", "openai-tts: HTTP 500 Internal Server Error: {\"error\":{\"message\":\"The server had an error while processing")]
    [InlineData("abort", "openai-tts: the response body ended early")]
    [InlineData("stall", "openai-tts: no audio for 300 ms; the response stalled")]
    public async Task Bad_server_answers_throw_a_clear_exception(string behaviour, string expected)
    {
        var audioArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost(CascadeWebHosts.OpenAiSpeechPath, ctx => MisbehaveAsync(ctx, behaviour, audioArrived.Task)));
        using var http = new HttpClient();
        // Only the stall case needs the short read timeout; the others must not trip it on a loaded machine.
        var tts = NewClient(server.HttpBase, http, Key, TimeSpan.FromMilliseconds(behaviour == "stall" ? 300 : 10_000));

        var e = await Assert.ThrowsAsync<TextToSpeechException>(() => Speech.CollectAsync(Signal(tts.SpeakAsync(Speech.Chunks(Sentences), CancellationToken.None), audioArrived)));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wrong-key", 0, 0, "openai-tts: HTTP 401 Unauthorized: {\"error\":{\"message\":\"Incorrect API key provided.\"")]
    [InlineData(Key, 503, 0, "openai-tts: HTTP 503 Service Unavailable")]
    [InlineData(Key, 0, 2, "openai-tts: the response body ended early")]
    public async Task Simulator_faults_and_refusals_throw_clear_exceptions(string key, int rejectStatus, int dropAfter, string expected)
    {
        var simulator = NewSimulator();
        simulator.Faults.RejectStatus = rejectStatus;
        simulator.Faults.DropAfterMessages = dropAfter;
        await using var server = await LoopbackServer.StartAsync(app => app.MapCascadeSimulators(simulator));
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<TextToSpeechException>(() => Speech.CollectAsync(NewClient(server.HttpBase, http, key).SpeakAsync(Speech.Chunks(Sentences), CancellationToken.None)));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"tts-1","input":"Hi","voice":"alloy","response_format":"mp3"}""", "response_format")]
    [InlineData("""{"model":"tts-1","voice":"alloy","response_format":"pcm"}""", "input")]
    [InlineData("""{"model":"tts-1","input":"Hi","response_format":"pcm"}""", "voice")]
    [InlineData("not json", null)]
    public async Task Simulator_answers_bad_requests_with_openai_error_json(string request, string? param)
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapCascadeSimulators(NewSimulator()));
        using var http = new HttpClient();
        using var content = new StringContent(request, Encoding.UTF8, "application/json");
        http.DefaultRequestHeaders.Authorization = new("Bearer", Key);

        using var response = await http.PostAsync(new Uri(server.HttpBase, CascadeWebHosts.OpenAiSpeechPath), content).WaitAsync(EventLog<string>.Bound);

        Assert.Equal(400, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    /// <summary>Passes the audio through, telling the server when the first chunk reached the caller.</summary>
    private static async IAsyncEnumerable<byte[]> Signal(IAsyncEnumerable<byte[]> audio, TaskCompletionSource arrived)
    {
        await foreach (var chunk in audio)
        {
            arrived.TrySetResult();
            yield return chunk;
        }
    }

    private static async Task MisbehaveAsync(HttpContext ctx, string behaviour, Task audioArrived)
    {
        if (behaviour == "http-500")
        {
            ctx.Response.StatusCode = 500;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}""");
            return;
        }

        ctx.Response.ContentType = "audio/pcm";
        await ctx.Response.Body.WriteAsync(new byte[4801]);
        await ctx.Response.Body.FlushAsync();
        if (behaviour == "abort")
        {
            // Mid-stream: only once the client has surely read the headers and some audio.
            await audioArrived.WaitAsync(EventLog<string>.Bound);
            ctx.Abort();
            return;
        }

        // Stall: headers and some audio, then nothing until the client hangs up.
        try
        {
            await VirtualTime.UntilCancelled(ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client gave up, as it should.
        }
    }

    private static CascadeSimulator NewSimulator() => new(
        new CascadeSimulatorOptions { Synthesizer = Speech.Espeak, RequiredApiKey = Key },
        TimeProvider.System,
        NullLoggerFactory.Instance);

    private static OpenAiTextToSpeech NewClient(Uri baseUrl, HttpClient http, string key, TimeSpan? readTimeout = null) => new(
        new OpenAiSpeechOptions { BaseUrl = baseUrl, ApiKey = key, ReadTimeout = readTimeout ?? TimeSpan.FromSeconds(10) },
        http,
        TimeProvider.System,
        NullLogger<OpenAiTextToSpeech>.Instance);
}
