using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using VoiceBridge.Call;
using VoiceBridge.Hosting;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Operations;

/// <summary>
/// serve's traces reach an OTLP receiver: serve runs as a process with <c>--otlp-endpoint</c> pointed
/// at a loopback HTTP receiver (OTLP/HTTP protobuf), a Twilio call runs, and the receiver gets an
/// export request from service <c>voicebridge</c> holding the call's span, tagged with its call id.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class OtlpExportInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_calls_span_is_exported_over_otlp_http_with_its_call_id()
    {
        var loggers = new TestLoggerFactory(output);
        var exports = new List<(string Path, string ContentType, byte[] Body)>();
        await using var receiver = await WebHosts.StartLoopbackAsync(loggers, _ => { }, app => app.MapPost("/v1/traces", async (HttpContext ctx) =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            lock (exports)
            {
                exports.Add((ctx.Request.Path, ctx.Request.ContentType ?? "", body.ToArray()));
            }

            ctx.Response.ContentType = "application/x-protobuf";
        }));
        var endpoint = new Uri(receiver.Urls.First(u => u.StartsWith("http://", StringComparison.Ordinal)).TrimEnd('/') + "/v1/traces");
        var dir = Directory.CreateTempSubdirectory("voicebridge-otlp-").FullName;
        await using var serve = await ServeProcess.StartAsync(output, "serve (otlp)", ["--sip-listen", "off", "--whip-off", "--data-dir", dir, "--otlp-endpoint", endpoint.ToString()],
            new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf", ["OTEL_BSP_SCHEDULE_DELAY"] = "200" });

        var options = new FakeCallerOptions();
        var caller = new FakeTwilioCaller(CallerSpeech.OneUtterance("What are your opening hours?"), options, TimeProvider.System);
        var heard = await caller.RunAsync(new SystemWebSocketConnector(TimeSpan.Zero, TimeSpan.Zero), new Uri($"ws://127.0.0.1:{serve.Port}{WebHosts.TwilioMediaPath}"), new Dictionary<string, string>(), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(heard.Errors);

        var callId = Encoding.UTF8.GetBytes(options.CallSid);
        bool Exported() => Snapshot().Any(e => Contains(e.Body, callId) && Contains(e.Body, Encoding.UTF8.GetBytes(CallSession.CallIdTag)));
        List<(string Path, string ContentType, byte[] Body)> Snapshot()
        {
            lock (exports)
            {
                return [.. exports];
            }
        }

        Assert.True(await TimeProvider.System.UntilAsync(Exported, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20)), $"no export held call {options.CallSid} ({Snapshot().Count} requests)\n{serve.Log}");
        var export = Snapshot().First(e => Contains(e.Body, callId));
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(Contains(export.Body, "voicebridge"u8.ToArray()), "the resource names the service");
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
