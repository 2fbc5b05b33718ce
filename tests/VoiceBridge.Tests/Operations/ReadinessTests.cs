using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Hosting;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Operations;

namespace VoiceBridge.Tests.Operations;

/// <summary><c>/ready</c>: 200 with a body when the node should get calls; 503 while draining, with the audit store closed, or with every breaker open.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Ready_until_every_breaker_is_open_and_again_once_one_closes()
    {
        var time = OperationsTestCalls.NewTime();
        await using var health = new ProviderHealth(new ProviderHealthOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(5) }, time);
        var readiness = new Readiness(new CallRegistry(), new HealthChain(health, "primary", "local"), () => true);
        Assert.Equal(new[] { "primary", "local" }, readiness.Check().AvailableEngines);
        Assert.True(readiness.Check().Ready);

        health.ReportFailure("primary", "socket-lost");
        Assert.True(readiness.Check().Ready, "one engine left is enough");
        health.ReportFailure("local", "socket-lost");
        var down = readiness.Check();
        Assert.False(down.Ready);
        Assert.Contains("no engine of the chain is available (every breaker open)", down.Problems);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(readiness.Check().Ready, "half-open after the break: a call may try it");
    }

    [Fact]
    public void Not_ready_while_draining_or_with_the_audit_store_closed()
    {
        var registry = new CallRegistry();
        var auditOpen = true;
        var readiness = new Readiness(registry, new SingleEngineChain(() => throw new InvalidOperationException()), () => auditOpen);

        auditOpen = false;
        Assert.Equal(["audit store not open"], readiness.Check().Problems);
        auditOpen = true;
        registry.StopAccepting();
        Assert.Equal(["draining"], readiness.Check().Problems);
    }

    [Fact]
    public async Task The_endpoints_answer_ready_then_refuse_calls_and_readiness_while_draining()
    {
        var registry = new CallRegistry();
        var readiness = new Readiness(registry, new SingleEngineChain(() => throw new InvalidOperationException()), () => true);
        var app = await WebHosts.StartLoopbackAsync(NullLoggerFactory.Instance, _ => { }, a =>
        {
            a.MapOperations(readiness, PrometheusExport.Shared, registry, new WhipOptions { AllowedOrigin = "https://widget.example" });
            a.MapPost("/twilio/voice", () => "twiml");
            a.MapPost("/whip", () => "answer");
            a.MapDelete("/whip/{id}", (string id) => id);
        });
        await using (app)
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            using (var ready = await http.GetAsync(OperationsEndpoints.ReadyPath))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
                Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
                Assert.Equal(0, body.RootElement.GetProperty("liveCalls").GetInt32());
            }

            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/twilio/voice", null)).StatusCode);
            registry.StopAccepting();

            using (var draining = await http.GetAsync(OperationsEndpoints.ReadyPath))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, draining.StatusCode);
                Assert.Contains("draining", await draining.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            foreach (var refused in new[] { await http.PostAsync("/twilio/voice", null), await http.PostAsync("/whip", null), await http.GetAsync(WebHosts.TwilioMediaPath) })
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(OperationsEndpoints.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
            }

            // A widget on another origin can read the WHIP refusal (and its Retry-After).
            using var whipRefused = await http.PostAsync("/whip", null);
            Assert.Equal("https://widget.example", whipRefused.Headers.GetValues("Access-Control-Allow-Origin").Single());

            // Ending a call already running is no new call.
            Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/whip/abc")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(OperationsEndpoints.MetricsPath)).StatusCode);
        }
    }

    /// <summary>A chain whose availability is the shared health's.</summary>
    private sealed class HealthChain(ProviderHealth health, params string[] names) : IEngineChain
    {
        public int Count => names.Length;

        public string NameAt(int index) => names[index];

        public IAgentEngine Create(int index) => throw new InvalidOperationException("no calls here");

        public bool IsAvailable(int index) => health.IsAvailable(names[index]);
    }
}
