using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Hosting;
using VoiceBridge.Tests.Call;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Hosting;

/// <summary>
/// The browser's view of a live call over HTTP on loopback: the SSE feed streams the call's events
/// as they are published and ends with the call; the drill wants the bearer token; the page is served.
/// </summary>
public sealed class CallEventEndpointsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_feed_streams_a_live_calls_events_as_server_sent_events_until_it_ends()
    {
        var registry = new CallRegistry();
        var session = NewSession("call-1");
        registry.Started(session);
        await using var app = await WebHosts.StartLoopbackAsync(NullLoggerFactory.Instance, _ => { }, a => a.MapCallEvents(registry, "s3cret"));
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Bound };
        using var cts = new CancellationTokenSource(Bound);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/calls/nope/events", UriKind.Relative), cts.Token)).StatusCode);

        session.Events.Publish(new CallEvent(CallEventKind.Engine, 5) { Engine = "a" });
        using var response = await http.GetAsync(new Uri("/calls/call-1/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        Assert.Equal(["event: engine", """data: {"type":"engine","atMs":5,"engine":"a"}"""], await ReadMessageAsync(reader, cts.Token));

        // Published after the watcher joined: it arrives while the call goes on.
        session.Events.Publish(new CallEvent(CallEventKind.Switch, 900) { From = "a", To = "b", Reason = "drill", HandoffMs = 420 });
        Assert.Equal(
            ["event: switch", """data: {"type":"switch","atMs":900,"from":"a","to":"b","reason":"drill","handoffMs":420}"""],
            await ReadMessageAsync(reader, cts.Token));

        session.Events.Publish(new CallEvent(CallEventKind.Caption, 950) { Role = "agent", Engine = "b", Text = "Friday \"works\"", ItemId = "b0", Final = true });
        Assert.Equal(
            ["event: caption", """data: {"type":"caption","atMs":950,"role":"agent","engine":"b","text":"Friday \u0022works\u0022","itemId":"b0","final":true}"""],
            await ReadMessageAsync(reader, cts.Token));

        session.Events.Publish(new CallEvent(CallEventKind.Ended, 1000));
        Assert.Equal(["event: ended", """data: {"type":"ended","atMs":1000}"""], await ReadMessageAsync(reader, cts.Token));
        Assert.Null(await reader.ReadLineAsync(cts.Token));
    }

    [Theory]
    [InlineData("twilio", "CA0123456789abcdef0123456789abcdef")]
    [InlineData("sip", "1-4242@192.0.2.7")]
    public async Task A_phone_calls_feed_and_drill_are_not_here_its_id_is_no_secret(string leg, string id)
    {
        var registry = new CallRegistry();
        registry.Started(NewSession(id, leg));
        await using var app = await WebHosts.StartLoopbackAsync(NullLoggerFactory.Instance, _ => { }, a => a.MapCallEvents(registry, null));
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Bound };
        using var cts = new CancellationTokenSource(Bound);
        var path = "/calls/" + Uri.EscapeDataString(id);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(path + "/events", UriKind.Relative), cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri(path + "/drill", UriKind.Relative), null, cts.Token)).StatusCode);
    }

    [Fact]
    public async Task The_drill_wants_the_bearer_token_and_a_live_call_and_the_page_is_served()
    {
        var registry = new CallRegistry();
        registry.Started(NewSession("call-2"));
        await using var app = await WebHosts.StartLoopbackAsync(NullLoggerFactory.Instance, _ => { }, a => a.MapCallEvents(registry, "s3cret"));
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Bound };
        using var cts = new CancellationTokenSource(Bound);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(new Uri("/calls/call-2/drill", UriKind.Relative), null, cts.Token)).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(new Uri("/calls/call-2/drill", UriKind.Relative), null, cts.Token)).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("/calls/nope/drill", UriKind.Relative), null, cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync(new Uri("/calls/call-2/drill", UriKind.Relative), null, cts.Token)).StatusCode);

        using var page = await http.GetAsync(new Uri("/", UriKind.Relative), cts.Token);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(cts.Token);
        Assert.Contains("id=\"drill\"", html, StringComparison.Ordinal);
        Assert.Contains("/events", html, StringComparison.Ordinal);
    }

    private CallSession NewSession(string id, string leg = "webrtc") =>
        new(id, leg, new RecordingLegOutput(), () => new ScriptedEngine(), new ToolRegistry([]), new CallSessionOptions(), TimeProvider.System, new RecordingLogger(output));

    private static async Task<List<string>> ReadMessageAsync(StreamReader reader, CancellationToken ct)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line && line.Length > 0)
        {
            lines.Add(line);
        }

        return lines;
    }
}
