using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Cli;
using VoiceBridge.Engines;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Load;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Load;

/// <summary>
/// The load generator's SIP caller: its target and options, its user agent client's retransmissions
/// on a fake clock, and whole calls against the bridge's own SIP endpoint on the in-memory network.
/// </summary>
public sealed class SipLoadTests(ITestOutputHelper output)
{
    private static readonly LoadAudio Audio = LoadAudio.FromRecording(WavLoader.Load(RepoPaths.Fixture("booking-ulaw8k.wav")).Samples, "booking");

    [Theory]
    [InlineData("sip:agent@127.0.0.1:5070", "127.0.0.1:5070", "sip:agent@127.0.0.1:5070")]
    [InlineData("sip:127.0.0.1", "127.0.0.1:5060", "sip:agent@127.0.0.1:5060")]
    [InlineData("sip:bot@[::1]:5080", "[::1]:5080", "sip:bot@[::1]:5080")]
    public void A_sip_target_is_an_ip_address_and_port_with_the_request_uri(string text, string bridge, string requestUri)
    {
        Assert.True(SipLoadTarget.TryParse(text, out var target, out var error), error);
        Assert.Equal(IPEndPoint.Parse(bridge), target!.Bridge);
        Assert.Equal(requestUri, target.RequestUri);
    }

    [Theory]
    [InlineData("sip:agent@pbx.example.com", "must be an IP address")]
    [InlineData("sips:agent@127.0.0.1", "not sips:")]
    [InlineData("ws://127.0.0.1:8080/twilio/media", "not ws:")]
    [InlineData("agent@127.0.0.1", "has no scheme")]
    public void A_target_the_sip_leg_cannot_call_is_refused_naming_why(string text, string expected)
    {
        Assert.False(SipLoadTarget.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_leg_picks_its_default_server_and_a_server_of_the_wrong_kind_is_refused()
    {
        Assert.True(LoadCommand.TryParseServer("sip", null, out var kind, out _, out var sip, out _));
        Assert.Equal(LoadLeg.Sip, kind);
        Assert.Equal(LoadCommand.DefaultSipServer, sip!.RequestUri);
        Assert.True(LoadCommand.TryParseServer("twilio", null, out kind, out var ws, out _, out _));
        Assert.Equal(LoadLeg.Twilio, kind);
        Assert.Equal(LoadCommand.DefaultTwilioServer, ws!.ToString());
        Assert.False(LoadCommand.TryParseServer("sip", "ws://127.0.0.1:8080/twilio/media", out _, out _, out _, out var error));
        Assert.Contains("--server", error, StringComparison.Ordinal);
        Assert.False(LoadCommand.TryParseServer("webrtc", null, out _, out _, out _, out error));
        Assert.Contains("--leg 'webrtc'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sip_run_needs_its_target_and_a_remote_one_is_refused_without_allow_remote()
    {
        LoadOptions Options(SipLoadTarget? target) => new() { Leg = LoadLeg.Sip, SipServer = target, Steps = [2], DurationS = 5, Audio = Audio };
        SipLoadTarget.TryParse("sip:agent@127.0.0.1:5060", out var local, out _);
        SipLoadTarget.TryParse("sip:agent@192.0.2.7:5060", out var remote, out _);

        Assert.Empty(Options(local).Validate(false));
        Assert.Contains(Options(null).Validate(false), e => e.Contains("sip:HOST:PORT", StringComparison.Ordinal));
        Assert.Contains(Options(remote).Validate(false), e => e.Contains("loopback", StringComparison.Ordinal));
        Assert.Empty(Options(remote).Validate(true));
        Assert.Equal(80, Options(local).HopInLateMs);
        var tooMany = new LoadOptions { Leg = LoadLeg.Sip, SipServer = local, Steps = [100, LoadOptions.MaxSipCalls + 1], DurationS = 5, Audio = Audio };
        Assert.Contains(tooMany.Validate(false), e => e.Contains("RTP timeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10002 RTP/AVP 0 101\r\n", "127.0.0.1:10002")]
    [InlineData("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 10004 RTP/AVP 0\r\nc=IN IP4 127.0.0.2\r\n", "127.0.0.2:10004")]
    public void The_bridge_rtp_address_comes_from_the_answer(string sdp, string expected) =>
        Assert.Equal(IPEndPoint.Parse(expected), SipLoadCall.RtpDestination(Encoding.ASCII.GetBytes(sdp)));

    [Theory]
    [InlineData("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 10002 RTP/AVP 8\r\n", "not PCMU")]
    [InlineData("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n", "no audio stream")]
    [InlineData("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 10002 RTP/AVP 0\r\n", "no c= line")]
    [InlineData("not sdp", "does not parse")]
    public void An_answer_the_caller_cannot_send_to_is_refused_naming_why(string sdp, string expected)
    {
        var e = Assert.Throws<IOException>(() => SipLoadCall.RtpDestination(Encoding.ASCII.GetBytes(sdp)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    /// <summary>RFC 3261 17.1.1.2: an unanswered INVITE goes again after T1, 2*T1, 4*T1... capped at T2, and stops once a provisional response came.</summary>
    [Fact]
    public void An_invite_is_retransmitted_with_doubling_intervals_until_a_provisional_response() => Virtual(async (network, time) =>
    {
        await using var bridge = new HandBridge(network, time);
        await using var sip = bridge.Signalling();
        var invite = SipMessage.Request("INVITE", "sip:agent@127.0.0.1:5060");
        invite.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/UDP 127.0.0.1:{sip.Local.Port};branch=z9hG4bKa1");
        invite.Headers.Add(SipHeaderNames.From, "<sip:load@127.0.0.1>;tag=1");
        invite.Headers.Add(SipHeaderNames.To, "<sip:agent@127.0.0.1>");
        invite.Headers.Add(SipHeaderNames.CallId, "c1");
        invite.Headers.Add(SipHeaderNames.CSeq, "1 INVITE");
        var answer = sip.RequestAsync(invite, CancellationToken.None);

        await time.Elapse(TimeSpan.FromMilliseconds(3600));
        Assert.Equal([0, 500, 1500, 3500], bridge.Requests.Select(r => (int)r.At.TotalMilliseconds));
        bridge.Answer(0, 100, "Trying");
        await time.Elapse(TimeSpan.FromSeconds(10));
        Assert.Equal(4, bridge.Requests.Count);
        Assert.False(answer.IsCompleted);

        bridge.Answer(0, 200, "OK");
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        Assert.Equal(200, (await answer).StatusCode);
    });

    [Fact]
    public void A_request_never_answered_times_out_after_64_t1() => Virtual(async (network, time) =>
    {
        await using var sip = new SipLoadSignalling(network, new SipLoadTarget(new IPEndPoint(IPAddress.Loopback, 5099), "sip:agent@127.0.0.1:5099"), time, NullLogger.Instance);
        var bye = SipMessage.Request("BYE", "sip:agent@127.0.0.1:5099");
        bye.Headers.Add(SipHeaderNames.CallId, "c2");
        bye.Headers.Add(SipHeaderNames.CSeq, "2 BYE");
        var answer = sip.RequestAsync(bye, CancellationToken.None);
        await time.Elapse(TimeSpan.FromMilliseconds(31_900));
        Assert.False(answer.IsCompleted);
        await time.Elapse(TimeSpan.FromMilliseconds(200));
        Assert.True(answer.IsCompleted, "given up at 32 s, not at the end of a whole T2 wait");
        var e = await Assert.ThrowsAsync<TimeoutException>(() => answer);
        Assert.Contains("BYE within 32 s", e.Message, StringComparison.Ordinal);
    });

    /// <summary>
    /// A bridge over its request rate answers 503 with Retry-After: the failure is acknowledged (RFC 3261
    /// 17.1.1.3: the INVITE's branch, the response's To), and the call tries again after that long with
    /// a new CSeq and is acknowledged on its 2xx. A 503 without Retry-After, or asking for longer than a
    /// load call waits, ends the call, named.
    /// </summary>
    [Fact]
    public void A_503_is_acknowledged_and_with_retry_after_tried_again_after_that_long() => Virtual(async (network, time) =>
    {
        await using var bridge = new HandBridge(network, time);
        await using var sip = bridge.Signalling();
        var measure = new LoadMeasurements();
        var connect = Dial(0, sip, network, measure);
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        bridge.Answer(0, 503, "Service Unavailable", busy => busy.Headers.Add("Retry-After", "2"));
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        var ackOf503 = bridge.Requests[1].Message;
        Assert.Equal(("ACK", 1L, "bridge1"), (ackOf503.Method, ackOf503.CSeq.Number, ackOf503.To.Tag));
        Assert.Equal(bridge.Requests[0].Message.TopVia.Branch, ackOf503.TopVia.Branch);

        await time.Elapse(TimeSpan.FromMilliseconds(1960));
        Assert.Equal(2, bridge.Requests.Count);
        await time.Elapse(TimeSpan.FromMilliseconds(60));
        var second = bridge.Requests[2].Message;
        Assert.Equal(("INVITE", 2L), (second.Method, second.CSeq.Number));
        Assert.Equal(bridge.Requests[0].Message.CallId, second.CallId);
        bridge.Answer(2, 200, "OK", ok => HandBridge.Sdp(ok, "m=audio 10002 RTP/AVP 0"));
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        await connect;
        var ack = bridge.Requests[3].Message;
        Assert.Equal(("ACK", 2L, "bridge1"), (ack.Method, ack.CSeq.Number, ack.To.Tag));
        Assert.NotEqual(second.TopVia.Branch, ack.TopVia.Branch);

        var refused = Dial(1, sip, network, measure);
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        bridge.Answer(4, 503, "Service Unavailable");
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        Assert.Equal("ACK", bridge.Requests[5].Message.Method);
        var e = await Assert.ThrowsAsync<IOException>(() => refused);
        Assert.Contains("answered 503 Service Unavailable", e.Message, StringComparison.Ordinal);

        var tooLong = Dial(2, sip, network, measure);
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        bridge.Answer(6, 503, "Service Unavailable", busy => busy.Headers.Add("Retry-After", "30"));
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        e = await Assert.ThrowsAsync<IOException>(() => tooLong);
        Assert.Contains("Retry-After 30 s, longer than a load call waits", e.Message, StringComparison.Ordinal);
    });

    /// <summary>A BYE from the bridge ends a call it knows with 200 and gets 481 for one it does not.</summary>
    [Fact]
    public void A_bye_for_an_unknown_call_gets_481() => Virtual(async (network, time) =>
    {
        await using var bridge = new HandBridge(network, time);
        await using var sip = bridge.Signalling();
        var bye = SipMessage.Request("BYE", $"sip:load@127.0.0.1:{sip.Local.Port}");
        bye.Headers.Add(SipHeaderNames.Via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbye1");
        bye.Headers.Add(SipHeaderNames.From, "<sip:agent@127.0.0.1>;tag=bridge1");
        bye.Headers.Add(SipHeaderNames.To, "<sip:load@127.0.0.1>;tag=x");
        bye.Headers.Add(SipHeaderNames.CallId, "nobody");
        bye.Headers.Add(SipHeaderNames.CSeq, "1 BYE");
        bridge.Send(bye, sip.Local);
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        Assert.Equal(481, bridge.Requests.Single().Message.StatusCode);
    });

    /// <summary>A 2xx whose SDP gives nowhere to send PCMU is still acknowledged (RFC 3261 13.2.2.4), then the call is hung up with BYE and fails naming the answer.</summary>
    [Fact]
    public void An_answer_without_pcmu_is_acknowledged_then_hung_up() => Virtual(async (network, time) =>
    {
        await using var bridge = new HandBridge(network, time);
        await using var sip = bridge.Signalling();
        var measure = new LoadMeasurements();
        var connect = Dial(0, sip, network, measure);
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        bridge.Answer(0, 200, "OK", ok => HandBridge.Sdp(ok, "m=audio 10002 RTP/AVP 8"));
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        Assert.Equal(["INVITE", "ACK", "BYE"], bridge.Requests.Select(r => r.Message.Method));
        bridge.Answer(2, 200, "OK");
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        var e = await Assert.ThrowsAsync<IOException>(() => connect);
        Assert.Contains("not PCMU", e.Message, StringComparison.Ordinal);
    });

    /// <summary>
    /// Whole load calls against the bridge's SIP endpoint (the production user agent server, RTP leg and
    /// call session, with the simulated provider): INVITE answered and acknowledged, every tick one RTP
    /// packet the bridge takes, the agent's reply heard as RTP, BYE ending the call on both sides.
    /// </summary>
    [Fact]
    public void Sip_load_calls_are_answered_carry_audio_both_ways_and_hang_up() => Run(async (env, time) =>
    {
        var measure = new LoadMeasurements();
        var start = time.GetTimestamp();
        long Now() => (long)time.GetElapsedTime(start).TotalMicroseconds;
        await using var sip = new SipLoadSignalling(env.Datagrams!, new SipLoadTarget(env.Sip!.LocalEndPoint, "sip:agent@127.0.0.1:5060"), time, NullLogger.Instance);
        var calls = Enumerable.Range(0, 2).Select(i => new SipLoadCall(i, new LoadTurns(i, Audio, measure), measure, sip, env.Datagrams!)).ToList();
        foreach (var call in calls)
        {
            await call.ConnectAsync(CancellationToken.None);
        }

        Assert.Equal(2, env.Sip.ActiveCalls);
        for (var tick = 0; tick < 600; tick++)
        {
            foreach (var call in calls)
            {
                call.Tick(Now());
            }

            await time.Elapse(TimeSpan.FromMilliseconds(CallClock.FrameMs));
        }

        output.WriteLine($"sent {measure.FramesSent}, agent frames {measure.AgentFramesReceivedCount}, turns {measure.Turns}, bad {measure.BadMessages}");
        Assert.Equal(1200, measure.FramesSent);
        Assert.True(measure.Turns >= 2, "each caller finished an utterance");
        Assert.True(measure.AgentFramesReceivedCount > 0, "the agent's reply came back as RTP");
        Assert.Equal(0, measure.BadMessages);
        await Task.WhenAll(calls.Select(c => c.StopAsync(time)));
        await time.Elapse(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, env.Sip.ActiveCalls);
    });

    /// <summary>Load call <paramref name="index"/> dialling through <paramref name="sip"/>: its connect, running.</summary>
    private static Task Dial(int index, SipLoadSignalling sip, InMemoryDatagramNetwork network, LoadMeasurements measure) =>
        new SipLoadCall(index, new LoadTurns(index, Audio, measure), measure, sip, network).ConnectAsync(CancellationToken.None);

    /// <summary>A hand-driven bridge on the in-memory network: keeps every message it receives (requests, and responses to what it sent) with its time, and answers the one asked.</summary>
    private sealed class HandBridge : IAsyncDisposable
    {
        private readonly IDatagramSocket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _receive;
        private readonly InMemoryDatagramNetwork _network;
        private readonly FakeTimeProvider _time;

        public HandBridge(InMemoryDatagramNetwork network, FakeTimeProvider time)
        {
            _network = network;
            _time = time;
            _socket = network.Bind(new IPEndPoint(IPAddress.Loopback, 5060));
            var start = time.GetTimestamp();
            _receive = _socket.ReceiveAsync((d, from) => Requests.Add((SipParser.Parse(d).Message!, from, time.GetElapsedTime(start))), _stop.Token);
        }

        public List<(SipMessage Message, IPEndPoint From, TimeSpan At)> Requests { get; } = [];

        public SipLoadSignalling Signalling() => new(_network, new SipLoadTarget(_socket.LocalEndPoint, "sip:agent@127.0.0.1:5060"), _time, NullLogger.Instance);

        /// <summary>Answers request <paramref name="index"/> (To tag bridge1), shaped by <paramref name="shape"/>.</summary>
        public void Answer(int index, int code, string reason, Action<SipMessage>? shape = null)
        {
            var response = Requests[index].Message.CreateResponse(code, reason, code > 100 ? "bridge1" : null);
            shape?.Invoke(response);
            _socket.Send(response.ToBytes(), Requests[index].From);
        }

        /// <summary>Sends <paramref name="request"/> to <paramref name="to"/> as the bridge would.</summary>
        public void Send(SipMessage request, IPEndPoint to) => _socket.Send(request.ToBytes(), to);

        /// <summary>Makes <paramref name="ok"/> an answer with a Contact and an SDP body whose media line is <paramref name="media"/>.</summary>
        public static void Sdp(SipMessage ok, string media)
        {
            ok.Headers.Add(SipHeaderNames.Contact, "<sip:agent@127.0.0.1:5060>");
            ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            ok.Body = Encoding.ASCII.GetBytes($"v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n{media}\r\n");
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _socket.DisposeAsync();
            await _receive;
            _stop.Dispose();
        }
    }

    private void Run(Func<ReplayEnvironment, FakeTimeProvider, Task> body) => Virtual(async (_, time) =>
    {
        var loggers = new TestLoggerFactory(output);
        await using var env = ReplayEnvironment.CreateVirtual(ChainSpec.Parse("openai-realtime"), new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, time, loggers, leg: ReplayLeg.Sip);
        await body(env, time);
    });

    private static void Virtual(Func<InMemoryDatagramNetwork, FakeTimeProvider, Task> body)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        VirtualTimeLoop.Run(time, TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(2), async () =>
        {
            await body(new InMemoryDatagramNetwork(), time);
            return 0;
        });
    }
}

public sealed class RecentMinimumTests
{
    /// <summary>A lasting shift (a stall of the sender's clock) is the new floor within three seconds; within the window the old floor holds.</summary>
    [Fact]
    public void The_minimum_covers_the_current_second_and_the_two_before()
    {
        var min = default(RecentMinimum);
        Assert.Equal(100, min.Record(100, 10_000_000));
        Assert.Equal(100, min.Record(300, 10_500_000));
        Assert.Equal(100, min.Record(300, 11_000_000));
        Assert.Equal(100, min.Record(300, 12_999_999));
        Assert.Equal(300, min.Record(300, 13_000_000));
        Assert.Equal(50, min.Record(50, 13_100_000));
        Assert.Equal(400, min.Record(400, 20_000_000));
    }
}
