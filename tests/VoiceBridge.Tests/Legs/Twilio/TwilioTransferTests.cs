using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Call;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;
using TwilioApiException = global::Twilio.Exceptions.ApiException;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>
/// Transfer on a Twilio leg: the Calls API updates the live call with &lt;Dial&gt; TwiML through the
/// Twilio SDK (checked against a loopback fake REST server: what the SDK sent), and the whole path
/// in virtual time: the agent's words heard, the update, Twilio ending the stream.
/// </summary>
public sealed class TwilioTransferTests(ITestOutputHelper output)
{
    private const string AccountSid = "AC25e16e9a716a4a1786a7c83f58e30482";
    private const string AuthToken = "test-auth-token";
    private const string CallSid = "CA0e6b1c5ad9f2d4e8b7a1c3d5e7f9a1b3";

    [Fact]
    public void Dial_twiml_names_a_number_or_a_sip_uri()
    {
        Assert.Equal(
            """<?xml version="1.0" encoding="utf-8"?><Response><Dial>+15551234567</Dial></Response>""",
            TwilioTwiml.Dial("+15551234567"));
        var sip = XDocument.Parse(TwilioTwiml.Dial("sip:desk@pbx.example.com;transport=tls")).Root!;
        Assert.Equal("sip:desk@pbx.example.com;transport=tls", sip.Element("Dial")!.Element("Sip")!.Value);
        Assert.Equal("sip:desk@pbx.example.com;transport=tls", FakeTwilioCaller.DialTarget(sip.ToString()));
    }

    [Fact]
    public async Task The_sdk_updates_the_call_at_the_configured_api_base_with_the_twiml_and_the_account_s_credentials()
    {
        var requests = new List<(string Method, string Path, string? Authorization, IFormCollection Form)>();
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/twilio-api/2010-04-01/Accounts/{account}/Calls/{call}.json", async (HttpContext ctx, string account, string call) =>
        {
            var form = await ctx.Request.ReadFormAsync();
            lock (requests)
            {
                requests.Add((ctx.Request.Method, ctx.Request.Path.Value!, ctx.Request.Headers.Authorization.ToString(), form));
            }

            return Results.Json(new { sid = call, account_sid = account, status = "in-progress" });
        }));
        using var updater = new TwilioCallUpdater(new TwilioRestOptions
        {
            AccountSid = AccountSid,
            AuthToken = AuthToken,
            ApiBaseUrl = new Uri(server.HttpBase, "/twilio-api/"),
        });

        await updater.UpdateTwimlAsync(null, CallSid, TwilioTwiml.Dial("+15551234567"), CancellationToken.None);

        var (method, path, authorization, form) = Assert.Single(requests);
        Assert.Equal(("POST", $"/twilio-api/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json"), (method, path));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")), authorization);
        Assert.Equal(TwilioTwiml.Dial("+15551234567"), form["Twiml"].ToString());
        Assert.Equal(["Twiml"], form.Keys);
    }

    [Fact]
    public async Task A_call_of_a_subaccount_is_updated_under_that_account()
    {
        var paths = new List<string>();
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/2010-04-01/Accounts/{account}/Calls/{call}.json", (HttpContext ctx, string account, string call) =>
        {
            lock (paths)
            {
                paths.Add(ctx.Request.Path.Value!);
            }

            return Results.Json(new { sid = call, account_sid = account });
        }));
        using var updater = new TwilioCallUpdater(new TwilioRestOptions { AccountSid = AccountSid, AuthToken = AuthToken, ApiBaseUrl = server.HttpBase });

        await updater.UpdateTwimlAsync("AC11111111111111111111111111111111", CallSid, TwilioTwiml.Dial("+15551234567"), CancellationToken.None);

        Assert.Equal([$"/2010-04-01/Accounts/AC11111111111111111111111111111111/Calls/{CallSid}.json"], paths);
    }

    [Fact]
    public async Task Twilio_refusing_the_update_is_an_api_exception_with_its_code()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/2010-04-01/Accounts/{account}/Calls/{call}.json", () => Results.Json(
            new { code = 21220, message = "Call is not in-progress. Cannot redirect.", more_info = "https://www.twilio.com/docs/errors/21220", status = 400 },
            statusCode: 400)));
        using var updater = new TwilioCallUpdater(new TwilioRestOptions { AccountSid = AccountSid, AuthToken = AuthToken, ApiBaseUrl = server.HttpBase });

        var error = await Assert.ThrowsAsync<TwilioApiException>(() => updater.UpdateTwimlAsync(null, CallSid, TwilioTwiml.Dial("+15551234567"), CancellationToken.None));

        Assert.Equal((21220, 400), (error.Code, error.Status));
        Assert.Contains("Cannot redirect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_credentials_an_update_fails_before_any_request()
    {
        using var updater = new TwilioCallUpdater(new TwilioRestOptions());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => updater.UpdateTwimlAsync(null, CallSid, "<Response/>", CancellationToken.None));

        Assert.Contains("TWILIO_ACCOUNT_SID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rest_options_come_from_the_environment_and_name_bad_values()
    {
        var env = new Dictionary<string, string?> { ["TWILIO_ACCOUNT_SID"] = "XX1", ["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9/api" };
        var options = TwilioRestOptions.FromEnvironment(name => env.GetValueOrDefault(name));

        Assert.Equal(new Uri("http://127.0.0.1:9/api"), options.ApiBaseUrl);
        Assert.False(options.IsConfigured);
        Assert.Equal(["TWILIO_ACCOUNT_SID 'XX1' must start with AC", "TWILIO_AUTH_TOKEN is required with TWILIO_ACCOUNT_SID"], options.Validate());
        Assert.Empty(new TwilioRestOptions().Validate());
    }

    [Fact]
    public void The_replay_s_fake_rest_api_answers_the_sdk_synchronously_so_virtual_time_sees_no_thread_hop()
    {
        var rest = new FakeTwilioRest();
        var caller = new FakeTwilioCaller(new short[8000], new FakeCallerOptions { CallSid = CallSid }, TimeProvider.System);
        using var served = rest.Attach(CallSid, caller);
        using var updater = new TwilioCallUpdater(rest.Options, rest);

        var update = updater.UpdateTwimlAsync(null, CallSid, TwilioTwiml.Dial("+15551234567"), CancellationToken.None);

        Assert.True(update.IsCompletedSuccessfully, update.Exception?.ToString() ?? "the update did not complete synchronously");
        Assert.Equal(TwilioTwiml.Dial("+15551234567"), Assert.Single(rest.Requests).Form["Twiml"]);
    }

    [Fact]
    public void The_agent_transfers_the_call_after_its_words_were_heard_and_Twilio_ends_the_stream()
    {
        var run = RunTransfer(attach: true);

        Assert.Equal("+15551234567", run.Observed.TransferredTo);
        var request = Assert.Single(run.Rest.Requests);
        Assert.Equal($"/2010-04-01/Accounts/{FakeTwilioRest.AccountSid}/Calls/{run.CallSid}.json", request.Path);
        Assert.Equal(TwilioTwiml.Dial("+15551234567"), request.Form["Twiml"]);

        // The caller heard the whole announcement (50 frames, every mark played) before the call moved.
        Assert.Equal(50, run.Observed.FramesReceived);
        Assert.Equal(run.Summary.OutboundFrames, run.Observed.FramesReceived);
        Assert.Equal(0, run.Observed.MarksFlushed);
        Assert.True(run.Summary.DurationMs < 3000, $"the call lasted {run.Summary.DurationMs} ms");
        Assert.Empty(run.Summary.Errors);
        Assert.Equal(["transfer"], run.Audit.Select(e => e.Kind).Where(k => k != "call-ended"));
        Assert.Equal("transferred to +15551234567 by scripted", run.Summary.EndReason);
        Assert.Equal(run.Summary.EndReason, run.Audit.Single(e => e.Kind == "call-ended").Reason);
    }

    [Fact]
    public void A_transfer_Twilio_refuses_is_audited_and_the_bridge_hangs_up_instead()
    {
        var run = RunTransfer(attach: false);

        Assert.Null(run.Observed.TransferredTo);
        Assert.Single(run.Rest.Requests);
        Assert.Contains(run.Summary.Errors, e => e.StartsWith("transfer to +15551234567 failed", StringComparison.Ordinal) && e.Contains("was not found", StringComparison.Ordinal));
        Assert.Equal(["transfer", "transfer-failed", "hangup"], run.Audit.Select(e => e.Kind).Where(k => k != "call-ended"));
        Assert.Equal("hung up by scripted: transfer to +15551234567 failed", run.Summary.EndReason);
        Assert.True(run.Summary.DurationMs < 3000, $"the call lasted {run.Summary.DurationMs} ms");
    }

    /// <summary>
    /// The fake carrier calls a bridge whose engine says one second of words and asks for a
    /// transfer; the fake REST API serves the call when <paramref name="attach"/>, else answers 404.
    /// </summary>
    private TransferRun RunTransfer(bool attach)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
        var loggers = new TestLoggerFactory(output);
        var logger = new RecordingLogger(output);
        var audit = new List<AuditEvent>();
        var rest = new FakeTwilioRest();
        var callerOptions = new FakeCallerOptions();
        var options = new CallSessionOptions
        {
            AuditLog = new ListAudit(audit),
            DryRunTools = true,
            CallControl = { AllowedTransferTargets = ["+15551234567"] },
        };
        var engine = new ScriptedEngine();
        var registry = new CallRegistry();

        var (observed, summary) = VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), async () =>
        {
            using var calls = new TwilioCallUpdater(rest.Options, rest);
            var network = new InMemoryNetwork();
            network.Listen("bridge.invalid", async (ws, request) =>
            {
                var leg = new TwilioMediaLeg(
                    new MessageSocket(ws, 1024, TwilioMediaLeg.MaxMessageBytes),
                    (callId, legOutput) => new CallSession(callId, "twilio", legOutput, () => engine, ToolRegistry.WithBuiltIns(), options, time, logger),
                    registry,
                    new TwilioCounters(),
                    loggers.CreateLogger("leg"),
                    calls)
                {
                    Time = time,
                };
                await leg.RunAsync(CancellationToken.None);
            });
            var caller = new FakeTwilioCaller(new short[10 * 8000], callerOptions, time);
            using var served = attach ? rest.Attach(callerOptions.CallSid, caller) : null;
            var carrier = caller.RunAsync(network, new Uri("ws://bridge.invalid/twilio/media"), new Dictionary<string, string>(), CancellationToken.None);

            await engine.Started;
            await engine.Ready();
            await time.Elapse(TimeSpan.FromMilliseconds(500));
            await engine.AgentTranscript("t1", "Let me put you through to the front desk.");
            await engine.AgentAudio("t1", TestAudio.Pattern(8000));
            await engine.AgentAudioDone("t1");
            await engine.ToolCall("call_1", "transfer", """{"target":"+15551234567"}""");
            var seen = await carrier;
            var ended = await registry.WhenEnded(callerOptions.CallSid);
            await Task.WhenAll(network.ServerTasks);
            return (seen, ended);
        });

        return new TransferRun(observed, summary, rest, audit, callerOptions.CallSid);
    }

    private sealed record TransferRun(FakeCallerResult Observed, CallSummary Summary, FakeTwilioRest Rest, List<AuditEvent> Audit, string CallSid);

    private sealed class ListAudit(List<AuditEvent> events) : IAuditLog
    {
        public void Record(AuditEvent auditEvent)
        {
            lock (events)
            {
                events.Add(auditEvent);
            }
        }
    }
}
