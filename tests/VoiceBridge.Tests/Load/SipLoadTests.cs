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
        var bridge = network.Bind(new IPEndPoint(IPAddress.Loopback, 5060));
        var received = new List<(SipMessage Message, IPEndPoint From, TimeSpan At)>();
        var start = time.GetTimestamp();
        using var stop = new CancellationTokenSource();
        var receive = bridge.ReceiveAsync((d, from) => received.Add((SipParser.Parse(d).Message!, from, time.GetElapsedTime(start))), stop.Token);
        await using var sip = new SipLoadSignalling(network, new SipLoadTarget(bridge.LocalEndPoint, "sip:agent@127.0.0.1:5060"), time, NullLogger.Instance);
        var invite = SipMessage.Request("INVITE", "sip:agent@127.0.0.1:5060");
        invite.Headers.Add(SipHeaderNames.Via, $"SIP/2.0/UDP 127.0.0.1:{sip.Local.Port};branch=z9hG4bKa1");
        invite.Headers.Add(SipHeaderNames.From, "<sip:load@127.0.0.1>;tag=1");
        invite.Headers.Add(SipHeaderNames.To, "<sip:agent@127.0.0.1>");
        invite.Headers.Add(SipHeaderNames.CallId, "c1");
        invite.Headers.Add(SipHeaderNames.CSeq, "1 INVITE");
        var answer = sip.RequestAsync(invite, CancellationToken.None);

        await time.Elapse(TimeSpan.FromMilliseconds(3600));
        Assert.Equal([0, 500, 1500, 3500], received.Select(r => (int)r.At.TotalMilliseconds));
        bridge.Send(received[0].Message.CreateResponse(100, "Trying").ToBytes(), received[0].From);
        await time.Elapse(TimeSpan.FromSeconds(10));
        Assert.Equal(4, received.Count);
        Assert.False(answer.IsCompleted);

        bridge.Send(received[0].Message.CreateResponse(200, "OK", "b1").ToBytes(), received[0].From);
        await time.Elapse(TimeSpan.FromMilliseconds(10));
        Assert.Equal(200, (await answer).StatusCode);
        stop.Cancel();
        await bridge.DisposeAsync();
        await receive;
    });

    [Fact]
    public void A_request_never_answered_times_out_after_64_t1() => Virtual(async (network, time) =>
    {
        await using var sip = new SipLoadSignalling(network, new SipLoadTarget(new IPEndPoint(IPAddress.Loopback, 5099), "sip:agent@127.0.0.1:5099"), time, NullLogger.Instance);
        var bye = SipMessage.Request("BYE", "sip:agent@127.0.0.1:5099");
        bye.Headers.Add(SipHeaderNames.CallId, "c2");
        bye.Headers.Add(SipHeaderNames.CSeq, "2 BYE");
        var answer = sip.RequestAsync(bye, CancellationToken.None);
        await time.Elapse(TimeSpan.FromSeconds(31));
        Assert.False(answer.IsCompleted);
        await time.Elapse(TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<TimeoutException>(() => answer);
        Assert.Contains("BYE within 32 s", e.Message, StringComparison.Ordinal);
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
        await using var sip = new SipLoadSignalling(env.Datagrams!, new SipLoadTarget(env.Sip!.LocalEndPoint, "sip:agent@127.0.0.1:5060"), time, NullLogger.Instance);
        var calls = Enumerable.Range(0, 2).Select(i => new SipLoadCall(i, new LoadTurns(i, Audio, measure, HopTag.NowMicros()), measure, sip, env.Datagrams!)).ToList();
        foreach (var call in calls)
        {
            await call.ConnectAsync(CancellationToken.None);
        }

        Assert.Equal(2, env.Sip.ActiveCalls);
        for (var tick = 0; tick < 600; tick++)
        {
            foreach (var call in calls)
            {
                call.Tick(HopTag.NowMicros());
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
