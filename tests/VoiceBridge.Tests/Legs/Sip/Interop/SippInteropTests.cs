using System.Globalization;
using System.Net;
using System.Net.Sockets;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.Sip.Interop;

/// <summary>
/// Interop: sipp (Debian sip-tester) calls VoiceBridge's SIP endpoint on loopback, streams a
/// fixture as PCMU RTP and hangs up; tshark captures what the bridge sent back. The capture,
/// read by tshark and not by our parser, must be one SSRC with continuous sequence numbers and
/// timestamps carrying the agent's speech; it is saved as a WAV artefact.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class SippInteropTests(ITestOutputHelper output)
{
    /// <param name="scenario">The offer in the INVITE; a delayed offer (ours in the 200, sipp's answer in its ACK); or a SIP-I gateway's INVITE, the offer beside ISUP in a multipart body.</param>
    [Theory]
    [InlineData("sipp-uac-pcmu-stream.xml")]
    [InlineData("sipp-uac-delayed-offer.xml")]
    [InlineData("sipp-uac-sipi-multipart.xml")]
    public async Task Sipp_calls_with_pcmu_and_hears_the_agent_on_one_continuous_rtp_stream(string scenarioFile)
    {
        var dir = Directory.CreateTempSubdirectory("vb-sipp-").FullName;
        var caller = InteropAudio.Spaced("booking-ulaw8k.wav", TimeSpan.FromSeconds(6), utterances: 2);
        var (scenario, callMs) = await InteropAudio.StreamScenarioAsync(dir, "tests/VoiceBridge.Tests/Legs/Sip/Interop/" + scenarioFile, caller);

        var loggers = new TestLoggerFactory(output);
        await using var env = await ReplayEnvironment.StartLoopbackAsync(
            ChainSpec.Default, new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, loggers, leg: ReplayLeg.Sip);
        env.Control.AddTranscriptHints(["Hello, I would like to book an appointment.", "Tomorrow afternoon, if possible."]);
        var pcap = Path.Combine(dir, "call.pcap");
        await using var capture = await RtpCapture.StartAsync(pcap, (int)(callMs / 1000) + 30);
        await using (var sipp = ExternalTool.Start("sipp",
        [
            env.Sip!.LocalEndPoint.ToString(), "-sf", scenario, "-s", "agent", "-p", FreeUdpPort().ToString(CultureInfo.InvariantCulture),
            "-i", "127.0.0.1", "-mi", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", $"{callMs / 1000 + 30}s", "-timeout_error",
        ], dir))
        {
            var exit = await sipp.WaitAsync(TimeSpan.FromMilliseconds(callMs + 40_000));
            output.WriteLine(sipp.Output);
            Assert.True(exit == 0, $"sipp exited {exit}");
        }

        var summary = await env.Bridge.Registry.WhenFirstEnded.WaitAsync(TimeSpan.FromSeconds(10));
        await capture.InterruptAsync();
        var media = summary.Media!;
        output.WriteLine($"bridge: {media}");
        var rtp = await RtpCapture.ReadAsync(pcap, media.LocalRtpPort);
        var (gaps, jumps) = rtp.Continuity();
        var agent = rtp.Audio();
        var artefacts = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts", "interop")).FullName;
        CallRecordingWriter.WriteMono(Path.Combine(artefacts, "sipp-agent.wav"), agent, CallClock.SampleRate);
        output.WriteLine($"captured {rtp.Packets.Count} packets from port {media.LocalRtpPort}: SSRCs {string.Join(",", rtp.Packets.Select(p => p.Ssrc.ToString("x8", CultureInfo.InvariantCulture)).Distinct())}, {gaps} sequence gaps, {jumps} timestamp jumps");

        Assert.Equal("sip", summary.Leg);
        // Every packet sent is on the wire; a capture on a loaded machine may miss a few, and then each miss is one gap, no more.
        var missed = media.PacketsSent - rtp.Packets.Count;
        Assert.InRange(missed, 0, media.PacketsSent / 50);
        Assert.Equal([media.Ssrc], rtp.Packets.Select(p => p.Ssrc).Distinct());
        Assert.True(gaps <= missed && jumps <= missed, $"{gaps} sequence gaps and {jumps} timestamp jumps with {missed} packets missed by the capture");
        Assert.Equal(2, summary.Turns.Count(t => t.Role == TurnRole.User));
        Assert.All(summary.Turns.Where(t => t.Role == TurnRole.Assistant), t => Assert.True(t.AudioMs > 0));
        Assert.True(InteropAudio.SpeechSegments(agent) >= 2, "the agent's speech is not in the RTP sent to sipp");
    }

    [Fact]
    public async Task Sipp_presses_a_key_as_rfc2833_events_and_the_agent_answers_it()
    {
        var dir = Directory.CreateTempSubdirectory("vb-sipp-dtmf-").FullName;
        var scenario = Path.Combine(dir, "uac.xml");
        await File.WriteAllTextAsync(scenario, (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests/VoiceBridge.Tests/Legs/Sip/Interop/sipp-uac-dtmf.xml")))
            .Replace("CALL_MS", "6000", StringComparison.Ordinal));
        var loggers = new TestLoggerFactory(output);
        await using var env = await ReplayEnvironment.StartLoopbackAsync(
            ChainSpec.Default, new SimulatorOptions(), new CallSessionOptions { DryRunTools = true }, loggers, leg: ReplayLeg.Sip);
        await using (var sipp = ExternalTool.Start("sipp",
        [
            env.Sip!.LocalEndPoint.ToString(), "-sf", scenario, "-s", "agent", "-p", FreeUdpPort().ToString(CultureInfo.InvariantCulture),
            "-i", "127.0.0.1", "-mi", "127.0.0.1", "-mp", FreeUdpPort().ToString(CultureInfo.InvariantCulture), "-m", "1", "-nostdin", "-timeout", "40s", "-timeout_error",
        ], dir))
        {
            var exit = await sipp.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine(sipp.Output);
            Assert.True(exit == 0, $"sipp exited {exit}");
        }

        var summary = await env.Bridge.Registry.WhenFirstEnded.WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var t in summary.Turns)
        {
            output.WriteLine($"{t.Role,-9} {t.Engine,-16} {t.StartMs,6}-{t.EndMs,-6} {t.Text}");
        }

        Assert.Equal(1, summary.Media!.DtmfDigits);
        var key = Assert.Single(summary.Turns, t => t.Dtmf is not null);
        Assert.Equal("1", key.Dtmf);
        Assert.Contains(summary.Turns, t => t.Role == TurnRole.Assistant && t.StartMs > key.StartMs && t.AudioMs > 0);
    }

    internal static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
