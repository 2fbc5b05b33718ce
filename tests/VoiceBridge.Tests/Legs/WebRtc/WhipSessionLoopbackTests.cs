using System.Net;
using System.Net.Http.Headers;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Hosting;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Legs.Sip.Interop;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>
/// A whole WHIP call on loopback UDP in real time, without a browser: <see cref="WhipTestClient"/> posts an
/// offer over HTTP with a bearer token, nominates the answer's candidate, completes DTLS-SRTP, streams a
/// fixture as SRTP (PCMU or Opus), hears the agent's replies, and hangs up with DELETE.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class WhipSessionLoopbackTests(ITestOutputHelper output)
{
    private const string Token = "whip-test-token";

    [Theory]
    [InlineData(WebRtcCodecPreference.Pcmu)]
    [InlineData(WebRtcCodecPreference.Opus)]
    public async Task A_whip_call_carries_the_callers_speech_to_the_agent_and_its_replies_back_on_one_srtp_stream(WebRtcCodecPreference codec)
    {
        var loggers = new TestLoggerFactory(output);
        await using var env = await ReplayEnvironment.StartLoopbackAsync(ChainSpec.Default, new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, loggers);
        env.Control.AddTranscriptHints(["Hello, I would like to book an appointment.", "Tomorrow afternoon, if possible."]);
        await using var sessions = env.Bridge.CreateWebRtcSessions(new WebRtcOptions { Codec = codec }, UdpDatagramNetwork.Instance, DtlsCertificate.CreateSelfSigned(TimeProvider.System));
        await using var whip = await WebHosts.StartLoopbackAsync(loggers, _ => { }, a => a.MapWhip(new WhipOptions { BearerToken = Token }, sessions));
        using var http = new HttpClient { BaseAddress = new Uri(whip.Urls.First()) };
        using var client = new WhipTestClient();

        using var post = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = new StringContent(client.Offer()) };
        post.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var created = await http.SendAsync(post);
        string answer = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, answer);
        using var setup = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int payloadType = await client.ConnectAsync(answer, setup.Token);
        Assert.Equal(codec == WebRtcCodecPreference.Opus ? 111 : 0, payloadType);

        short[] caller = InteropAudio.Spaced("booking-ulaw8k.wav", TimeSpan.FromSeconds(6), utterances: 2);
        var mulaw = new byte[caller.Length / CallClock.FrameSamples * CallClock.FrameSamples];
        G711.MuLawEncode(caller.AsSpan(0, mulaw.Length), mulaw);
        await StreamAsync(client, payloadType, mulaw, codec == WebRtcCodecPreference.Opus ? new OpusAudio() : null);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, created.Headers.Location);
        delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var deleted = await http.SendAsync(delete);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        CallSummary summary = await env.Bridge.Registry.WhenFirstEnded.WaitAsync(TimeSpan.FromSeconds(10));

        short[] heard = Decode(client.TakeHeard(), codec);
        foreach (var t in summary.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {t.Text}");
        }

        output.WriteLine($"client: {client.StunSuccesses} STUN successes, {client.PacketsReceived} SRTP packets in, {client.PacketsRejected} rejected, SSRCs {string.Join(",", client.Ssrcs)}");
        Assert.Equal("webrtc", summary.Leg);
        Assert.Equal(0, sessions.Count);
        Assert.True(client.StunSuccesses >= 1);
        Assert.Single(client.Ssrcs);
        Assert.Equal(0, client.PacketsRejected);
        Assert.InRange(client.PacketsReceived, mulaw.Length / CallClock.FrameSamples * 9 / 10, int.MaxValue);
        Assert.Equal(2, summary.Turns.Count(t => t.Role == TurnRole.User));
        Assert.All(summary.Turns.Where(t => t.Role == TurnRole.Assistant), t => Assert.True(t.AudioMs > 0));
        Assert.True(InteropAudio.SpeechSegments(heard) >= 2, "the agent's speech is not in the SRTP the client received");
    }

    /// <summary>The recording then 4 s of silence, one packet per 20 ms, with a consent check every 2 s.</summary>
    private static async Task StreamAsync(WhipTestClient client, int payloadType, byte[] mulaw, OpusAudio? opus)
    {
        int frames = (mulaw.Length / CallClock.FrameSamples) + 200;
        var silence = new byte[CallClock.FrameSamples];
        silence.AsSpan().Fill(G711.MuLawSilence);
        var encoded = new byte[OpusAudio.MaxPacketBytes];
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(CallClock.FrameMs));
        for (int i = 0; i < frames && await timer.WaitForNextTickAsync(); i++)
        {
            ReadOnlySpan<byte> frame = (i + 1) * CallClock.FrameSamples <= mulaw.Length ? mulaw.AsSpan(i * CallClock.FrameSamples, CallClock.FrameSamples) : silence;
            if (opus is null)
            {
                client.SendRtp(payloadType, frame, CallClock.FrameSamples);
            }
            else
            {
                int length = opus.Encode(frame, encoded);
                client.SendRtp(payloadType, encoded.AsSpan(0, length), OpusAudio.FrameSamples48k);
            }

            if (i % 100 == 99)
            {
                client.SendCheck(nominate: false);
            }
        }
    }

    private static short[] Decode(List<byte[]> payloads, WebRtcCodecPreference codec)
    {
        var opus = codec == WebRtcCodecPreference.Opus ? new OpusAudio() : null;
        var pcm = new short[payloads.Count * CallClock.FrameSamples];
        var frame = new byte[CallClock.FrameSamples];
        for (int i = 0; i < payloads.Count; i++)
        {
            if (opus is null)
            {
                payloads[i].AsSpan(0, Math.Min(payloads[i].Length, frame.Length)).CopyTo(frame);
            }
            else
            {
                Assert.True(opus.TryDecode(payloads[i], frame, out var samples) && samples == CallClock.FrameSamples, $"packet {i} is not a 20 ms Opus packet");
            }

            G711.MuLawDecode(frame, pcm.AsSpan(i * CallClock.FrameSamples, CallClock.FrameSamples));
        }

        return pcm;
    }
}
