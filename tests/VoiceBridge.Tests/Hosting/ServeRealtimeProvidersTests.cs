using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Hosting;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Hosting;

/// <summary>
/// <c>voicebridge serve</c> as a process of its own with <c>azure-realtime</c> in its chain: the Azure
/// engine has its own endpoint, key, header and name, or, with no Azure key, an embedded simulator of
/// its own; never OpenAI's.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed partial class ServeRealtimeProvidersTests(ITestOutputHelper output)
{
    private const string OpenAiKey = "sk-openai-test-key";
    private const string AzureKey = "azure-test-key";

    [Fact]
    public async Task A_call_failing_over_to_azure_realtime_reaches_the_azure_endpoint_with_its_api_key_header()
    {
        var openAiRequests = new ConcurrentQueue<(string? Authorization, string? ApiKey)>();
        await using var openAi = await LoopbackServer.StartAsync(app => app.Map(WebHosts.RealtimePath, ctx =>
        {
            openAiRequests.Enqueue((ctx.Request.Headers.Authorization, ctx.Request.Headers["api-key"]));
            ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }));
        var azureRequests = new ConcurrentQueue<(string? Authorization, string? ApiKey, string Query)>();
        var simulator = new RealtimeSimulator(new SimulatorOptions(), TimeProvider.System, NullLogger<RealtimeSimulator>.Instance, name: "azure");
        await using var azure = await LoopbackServer.StartAsync(app =>
        {
            app.Use((ctx, next) =>
            {
                azureRequests.Enqueue((ctx.Request.Headers.Authorization, ctx.Request.Headers["api-key"], ctx.Request.QueryString.Value ?? ""));
                return next(ctx);
            });
            app.MapSimulator(simulator);
        });

        await using var serve = await ServeProcess.StartAsync(output, "serve",
            [
                "--sip-listen", "off", "--whip-off", "--no-warm-up", "--data-dir", Directory.CreateTempSubdirectory("voicebridge-azure-").FullName,
                "--chain", "openai-realtime,azure-realtime", "--realtime-url", openAi.RealtimeEndpoint.ToString(),
                "--azure-realtime-url", azure.RealtimeEndpoint.ToString(), "--azure-deployment", "my-realtime-deployment",
            ],
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = OpenAiKey, ["AZURE_OPENAI_API_KEY"] = AzureKey });
        try
        {
            var caller = new FakeTwilioCaller(CallerSpeech.OneUtterance("What are your opening hours?"), new FakeCallerOptions(), TimeProvider.System);
            var heard = await caller.RunAsync(new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero), new Uri($"ws://127.0.0.1:{serve.Port}{WebHosts.TwilioMediaPath}"), new Dictionary<string, string>(), CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Empty(heard.Errors);
            Assert.True(heard.FramesReceived > 25, $"azure-realtime answered the call ({heard.FramesReceived} frames)");
            Assert.Contains(openAiRequests, r => r == ("Bearer " + OpenAiKey, null));
            var first = Assert.Single(azureRequests.Take(1));
            Assert.Equal((null, AzureKey, "?model=my-realtime-deployment"), first);
            Assert.DoesNotContain(azureRequests, r => r.Authorization is not null || r.ApiKey != AzureKey);
            Assert.Contains($"azure-realtime: connected to {azure.RealtimeEndpoint}?model=my-realtime-deployment", serve.Log, StringComparison.Ordinal);
            Assert.DoesNotContain($"openai-realtime: connected to {azure.RealtimeEndpoint}", serve.Log, StringComparison.Ordinal);
        }
        finally
        {
            output.WriteLine(serve.Log);
        }
    }

    [Fact]
    public async Task Without_an_azure_key_azure_realtime_gets_a_simulator_of_its_own_and_a_warning_naming_the_key()
    {
        await using var serve = await ServeProcess.StartAsync(output, "serve",
            ["--sip-listen", "off", "--whip-off", "--no-warm-up", "--data-dir", Directory.CreateTempSubdirectory("voicebridge-azure-").FullName, "--chain", "openai-realtime,azure-realtime,local"]);

        Assert.Contains("no AZURE_OPENAI_API_KEY: engine azure-realtime is answered by an embedded SIMULATED Realtime provider", serve.Log, StringComparison.Ordinal);
        var openAi = SimulatedEndpoint("openai-realtime").Match(serve.Log);
        var azure = SimulatedEndpoint("azure-realtime").Match(serve.Log);
        Assert.True(openAi.Success && azure.Success, serve.Log);
        Assert.NotEqual(openAi.Groups["endpoint"].Value, azure.Groups["endpoint"].Value);
    }

    [Fact]
    public async Task An_azure_key_without_an_azure_endpoint_is_a_configuration_error()
    {
        var (exitCode, log) = await ServeProcess.RunToExitAsync(
            ["--sip-listen", "off", "--whip-off", "--no-warm-up", "--chain", "azure-realtime,local"],
            new Dictionary<string, string> { ["AZURE_OPENAI_API_KEY"] = AzureKey }, TimeSpan.FromSeconds(30));
        Assert.Equal(2, exitCode);
        Assert.Contains("--azure-realtime-url is required with AZURE_OPENAI_API_KEY", log, StringComparison.Ordinal);
    }

    private static Regex SimulatedEndpoint(string engine) =>
        new($@"Realtime .*{Regex.Escape(engine)} (?<endpoint>ws://127\.0\.0\.1:\d+/v1/realtime)\?model=[^ ]+ \(SIMULATED\)");
}
