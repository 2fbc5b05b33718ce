using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Cli;
using VoiceBridge.Engines;
using VoiceBridge.Hosting;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Engines.Health;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Hosting;

/// <summary>
/// The admin API over loopback HTTP with no call running: who gets in (off is 404, a missing or wrong
/// token 401 with WWW-Authenticate, counted; open only on loopback), and every bad request refused
/// with what is wrong; the drill verb's bad input and refusals exit 2.
/// </summary>
public sealed class AdminEndpointsTests(ITestOutputHelper output)
{
    private const string Token = "admin-token-0123456789abcdef";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task With_no_token_the_admin_api_is_not_there()
    {
        var access = AdminAccess.Create(null, open: false, "http://0.0.0.0:8080", out var error);
        Assert.Null(error);
        await using var node = await Node.StartAsync(access!, output);

        using var response = await node.Http.GetAsync(new Uri("/admin/calls", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_or_wrong_token_gets_401_with_a_bearer_challenge_and_is_counted()
    {
        var access = AdminAccess.Create(Token, open: false, "http://0.0.0.0:8080", out _)!;
        await using var node = await Node.StartAsync(access, output);

        using var missing = await node.Http.GetAsync(new Uri("/admin/calls", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer realm=\"VoiceBridge admin\"", missing.Headers.WwwAuthenticate.ToString());

        node.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
        using var wrong = await node.Http.PostAsync(new Uri("/admin/drills", UriKind.Relative), Json("""{"share":50,"durationS":60,"fault":"primary:close"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("invalid_token", wrong.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, access.Refused);

        node.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var calls = await node.Http.GetAsync(new Uri("/admin/calls", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, calls.StatusCode);
        Assert.Equal("""{"calls":[]}""", await calls.Content.ReadAsStringAsync());
        Assert.Equal(2, access.Refused);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", null)]
    [InlineData("http://localhost:8080;http://[::1]:8080", null)]
    [InlineData("http://0.0.0.0:8080", "is not (listen on 127.0.0.1, or set --admin-token)")]
    [InlineData("http://127.0.0.1:8080;http://10.0.0.5:8080", "http://10.0.0.5:8080 is not")]
    public async Task Open_without_a_token_only_on_loopback(string urls, string? problem)
    {
        var access = AdminAccess.Create(null, open: true, urls, out var error);
        if (problem is null)
        {
            Assert.Equal(AdminMode.OpenOnLoopback, access!.Mode);
            Assert.True((await access.CheckAsync(null)).Allowed);
        }
        else
        {
            Assert.Null(access);
            Assert.Contains(problem, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_short_token_or_a_token_with_open_is_a_configuration_error()
    {
        Assert.Null(AdminAccess.Create("short", open: false, "http://127.0.0.1:1", out var shortError));
        Assert.Contains($"at least {AdminAccess.MinTokenLength} characters", shortError, StringComparison.Ordinal);
        Assert.Null(AdminAccess.Create(Token, open: true, "http://127.0.0.1:1", out var bothError));
        Assert.Contains("--admin-open", bothError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", HttpStatusCode.BadRequest, "the body is not a drill")]
    [InlineData("""{"share":50,"durationS":60,"fault":"primary:close","extra":1}""", HttpStatusCode.BadRequest, "extra")]
    [InlineData("""{"call":"CA1","share":50,"fault":"primary"}""", HttpStatusCode.BadRequest, "either \"call\"")]
    [InlineData("""{"share":50,"fault":"primary:close"}""", HttpStatusCode.BadRequest, "\"durationS\"")]
    [InlineData("""{"share":150,"durationS":60,"fault":"primary:close"}""", HttpStatusCode.BadRequest, "at most 100")]
    [InlineData("""{"share":50,"durationS":60,"fault":"primary:close@user2"}""", HttpStatusCode.BadRequest, "only the provider sees")]
    [InlineData("""{"share":50,"durationS":60,"fault":"cascade-remote:close"}""", HttpStatusCode.BadRequest, "not an engine of the chain")]
    [InlineData("""{"share":50,"durationS":60,"fault":"local:close"}""", HttpStatusCode.BadRequest, "local is a cascade")]
    [InlineData("""{"call":"CA-nope","fault":"primary:close"}""", HttpStatusCode.NotFound, "no live call 'CA-nope'")]
    public async Task A_bad_drill_is_refused_naming_the_problem(string body, HttpStatusCode status, string expected)
    {
        await using var node = await Node.StartAsync(AdminAccess.Create(Token, open: false, "http://127.0.0.1:1", out _)!, output);
        node.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        using var response = await node.Http.PostAsync(new Uri("/admin/drills", UriKind.Relative), Json(body));
        Assert.Equal(status, response.StatusCode);
        var error = JsonSerializer.Deserialize<AdminError>(await response.Content.ReadAsStringAsync(), AdminJson.Options)!;
        Assert.Contains(expected, error.Error, StringComparison.Ordinal);
        Assert.Empty(node.Audit.Events);
    }

    [Fact]
    public async Task A_share_drill_is_accepted_audited_and_readable()
    {
        await using var node = await Node.StartAsync(AdminAccess.Create(Token, open: false, "http://127.0.0.1:1", out _)!, output);
        node.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        using var response = await node.Http.PostAsync(new Uri("/admin/drills", UriKind.Relative), Json("""{"share":12.5,"durationS":60,"fault":"primary:close@turn2"}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var drill = JsonSerializer.Deserialize<AdminDrillView>(await response.Content.ReadAsStringAsync(), AdminJson.Options)!;
        Assert.Equal($"/admin/drills/{drill.Id}", response.Headers.Location?.ToString());
        Assert.Equal(("primary:close@turn2", "running", 12.5m, 60), (drill.Fault, drill.State, drill.Share, drill.DurationS));

        var audited = Assert.Single(node.Audit.Events);
        Assert.Equal(("drill", AuditEvent.NoCall, "openai-realtime"), (audited.Kind, audited.CallId, audited.From));
        Assert.Contains("admin API from 127.0.0.1", audited.DetailsJson, StringComparison.Ordinal);

        using var again = await node.Http.GetAsync(new Uri($"/admin/drills/{drill.Id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var none = await node.Http.GetAsync(new Uri("/admin/drills/drill-000000000000", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Theory]
    [InlineData("ftp://x", null, null, null, "primary", "is not an http(s) URL")]
    [InlineData("http://127.0.0.1:1", "CA1", 50, 10, "primary", "give --call ID")]
    [InlineData("http://127.0.0.1:1", null, 50, null, "primary", "--share needs --duration")]
    [InlineData("http://127.0.0.1:1", "CA1", null, null, "primary:stall-audio", "--fault: ")]
    public async Task The_drill_verb_exits_2_on_bad_input_naming_it(string server, string? call, int? share, int? duration, string fault, string expected)
    {
        var error = new StringWriter();
        using var http = new HttpClient();
        var exit = await DrillCommand.RunAsync(new DrillOptions(server, call, share, duration, fault, null, null), http, TimeProvider.System, TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_drill_verb_exits_2_when_refused()
    {
        await using var node = await Node.StartAsync(AdminAccess.Create(Token, open: false, "http://127.0.0.1:1", out _)!, output);
        var error = new StringWriter();
        var exit = await DrillCommand.RunAsync(
            new DrillOptions(node.Http.BaseAddress!.ToString(), "CA1", null, null, "primary", "wrong-token-0123456789", 5), node.Http, TimeProvider.System, TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("wrong bearer token (HTTP 401", error.ToString(), StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>A node with drills (no call running) and the admin API on loopback HTTP.</summary>
    private sealed class Node(WebApplication app, ReplayEnvironment env, HttpClient http, RecordingAudit audit) : IAsyncDisposable
    {
        public HttpClient Http => http;

        public RecordingAudit Audit => audit;

        public static async Task<Node> StartAsync(AdminAccess access, ITestOutputHelper output)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var loggers = new TestLoggerFactory(output);
            var audit = new RecordingAudit();
            var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime,local"), new SimulatorOptions(), new CallSessionOptions(), time, loggers);
            var drills = new AdminDrills(env.Bridge, audit, time, loggers);
            var app = await WebHosts.StartLoopbackAsync(NullLoggerFactory.Instance, _ => { }, a => a.MapAdmin(drills, access));
            return new Node(app, env, new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Bound }, audit);
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await app.DisposeAsync();
            await env.DisposeAsync();
        }
    }
}
