using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Operations;
using VoiceBridge.Security;
using VoiceBridge.Tests.Legs.WebRtc;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Security;

/// <summary>
/// Issue 10's limits: calls per node and per source (WHIP over loopback HTTP: 503 and 429), the token
/// buckets on a fake clock, and a WebSocket peer over the message size (closed 1009) or rate (closed
/// 1008) over a real loopback socket; each refusal counted.
/// </summary>
[Collection(RejectionCounting.Name)]
public sealed class LimitsTests
{
    [Fact]
    public void Calls_are_admitted_up_to_the_node_and_source_limits_and_freed_once()
    {
        var limits = new CallLimits(maxCalls: 3, maxCallsPerSource: 2);
        var a = IPAddress.Parse("192.0.2.1");
        var b = IPAddress.Parse("192.0.2.2");

        var first = limits.TryAdmit(a, out _)!;
        var second = limits.TryAdmit(IPAddress.Parse("::ffff:192.0.2.1"), out _);
        Assert.NotNull(second);
        Assert.Null(limits.TryAdmit(a, out var sourceFull));
        Assert.Equal(CallRefusal.SourceFull, sourceFull);
        var third = limits.TryAdmit(b, out _);
        Assert.NotNull(third);
        Assert.Null(limits.TryAdmit(null, out var nodeFull));
        Assert.Equal(CallRefusal.NodeFull, nodeFull);
        Assert.True(limits.Full);

        first.Dispose();
        first.Dispose();
        Assert.Equal(2, limits.Calls);
        Assert.False(limits.Full);
        Assert.False(CallLimits.Unlimited.Full);
        Assert.NotNull(limits.TryAdmit(a, out _));
        Assert.Contains("limit of 3 calls", limits.Describe(CallRefusal.NodeFull), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_are_exported_on_metrics_by_kind()
    {
        var export = PrometheusExport.Shared;
        Rejections.Count(Rejections.LimitSipRate);

        var text = await export.ScrapeAsync(CancellationToken.None);

        Assert.Contains("voicebridge_rejected_requests_total{kind=\"limit-sip-rate\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_bucket_allows_its_burst_then_its_rate_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(perSecond: 10, burst: 3, time);

        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => bucket.TryTake()).ToArray());
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(bucket.IsFull);
    }

    [Fact]
    public void The_per_source_table_stays_bounded_under_a_spoofed_source_flood()
    {
        var time = new FakeTimeProvider();
        var limiter = new SourceRateLimiter(perSecond: 1, burst: 1, time);
        for (var i = 0; i < SourceRateLimiter.MaxSources + 500; i++)
        {
            limiter.TryTake(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        Assert.Equal(SourceRateLimiter.MaxSources, limiter.Sources);
        var quiet = IPAddress.Parse("198.51.100.7");
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(limiter.TryTake(quiet));
        Assert.True(limiter.Sources <= SourceRateLimiter.MaxSources);
    }

    [Fact]
    public async Task Whip_sessions_over_the_node_or_source_limit_get_503_or_429_and_are_counted()
    {
        var sessions = new WhipEndpointsTests.FakeSessions();
        var perSource = new CallLimits(maxCalls: 10, maxCallsPerSource: 1);
        await using var server = await LoopbackServer.StartAsync(app => app.MapWhip(new WhipOptions(), sessions, perSource));
        using var http = new HttpClient { BaseAddress = server.HttpBase };

        using (var first = await http.PostAsync("/whip", Sdp()))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        // The fake sessions cannot say when they end, so the first one's place was freed at once.
        Assert.Equal(0, perSource.Calls);
        var full = new CallLimits(maxCalls: 1);
        var held = full.TryAdmit(null, out _);
        await using var fullServer = await LoopbackServer.StartAsync(app => app.MapWhip(new WhipOptions(), sessions, full));
        using var fullHttp = new HttpClient { BaseAddress = fullServer.HttpBase };
        var counted = await RejectionCounting.CountAsync(Rejections.LimitCalls, async () =>
        {
            using var refused = await fullHttp.PostAsync("/whip", Sdp());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("limit of 1 calls", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        });
        Assert.Equal(1, counted);
        held!.Dispose();

        var source = IPAddress.Loopback;
        var heldBySource = perSource.TryAdmit(source, out _);
        var sourceCounted = await RejectionCounting.CountAsync(Rejections.LimitSourceCalls, async () =>
        {
            using var refused = await http.PostAsync("/whip", Sdp());
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        });
        Assert.Equal(1, sourceCounted);
        heldBySource!.Dispose();
    }

    [Fact]
    public async Task A_peer_sending_an_oversized_message_is_closed_1009_and_counted()
    {
        var (status, counted) = await PeerAsync(new FakeTimeProvider(), async client =>
        {
            await client.SendAsync(new byte[2048], WebSocketMessageType.Text, true, CancellationToken.None);
        }, Rejections.LimitMessageSize);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
        Assert.Equal(1, counted);
    }

    [Fact]
    public async Task A_peer_over_the_message_rate_is_closed_1008_and_counted()
    {
        var (status, counted) = await PeerAsync(new FakeTimeProvider(), async client =>
        {
            for (var i = 0; i < 3; i++)
            {
                await client.SendAsync(Encoding.UTF8.GetBytes("{}"), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }, Rejections.LimitMessageRate);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal(1, counted);
    }

    /// <summary>
    /// A loopback WebSocket server reading through a <see cref="MessageSocket"/> with a 1 KiB limit and a
    /// rate of 1 a second (burst 2) on a clock that never moves; the close status the client got, and the count.
    /// </summary>
    private static async Task<(WebSocketCloseStatus? Status, long Counted)> PeerAsync(TimeProvider time, Func<ClientWebSocket, Task> send, string kind)
    {
        var ended = new TaskCompletionSource<SocketEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map("/peer", async ctx =>
            {
                using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
                await using var socket = new MessageSocket(ws, 16, 1024) { CloseOnOversize = true, ReceiveRate = new TokenBucket(1, 2, time) };
                socket.StartSending();
                ended.TrySetResult(await socket.ReceiveAsync(_ => ValueTask.CompletedTask, _ => { }, CancellationToken.None));

                // Kept open until the client has read the close frame: disposing aborts the connection.
                await clientDone.Task;
            });
        });

        using var client = new ClientWebSocket();
        WebSocketCloseStatus? status = null;
        var counted = await RejectionCounting.CountAsync(kind, async () =>
        {
            await client.ConnectAsync(new Uri(server.WebSocketBase, "/peer"), CancellationToken.None);
            await send(client);
            var buffer = new byte[256];
            var result = await client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            status = result.CloseStatus;
            clientDone.TrySetResult();
            await ended.Task.WaitAsync(TimeSpan.FromSeconds(10));
        });
        return (status, counted);
    }

    private static StringContent Sdp()
    {
        var content = new StringContent(WebRtcTestOffers.Chromium, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(WhipEndpoints.SdpMediaType);
        return content;
    }
}
